import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { httpRequest, postForm } from './http-client.js';

// Needs `npm run build` (like the e2e tests): the CLI runs as `node dist/emulator/cli.js`.
const CLI = join(import.meta.dirname, '..', '..', '..', 'dist', 'emulator', 'cli.js');

/** Reads the CLI's ready line and logs in with its tap config's password grant. */
async function loginFromReadyLine(child: ChildProcess): Promise<{ instanceUrl: string; auth: Record<string, string> }> {
  const [first] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
  const cfg = JSON.parse(first) as { tap_config: Record<string, string>; instance_url: string };
  const token = await postForm(`${cfg.tap_config.login_url!}/services/oauth2/token`, {
    grant_type: 'password',
    client_id: cfg.tap_config.client_id!,
    client_secret: cfg.tap_config.client_secret!,
    username: cfg.tap_config.username!,
    password: cfg.tap_config.password! + cfg.tap_config.security_token!,
  });
  return { instanceUrl: cfg.instance_url, auth: { Authorization: `Bearer ${token.json<{ access_token: string }>().access_token}` } };
}

describe('emulator CLI', () => {
  it('prints exactly one JSON line with URLs, credentials and a tap config, serves, and stops on SIGTERM', async () => {
    const child = spawn(process.execPath, [CLI, '--records', '30', '--seed', '3', '--latency-ms', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const lines = createInterface({ input: child.stdout });
    const received: string[] = [];
    lines.on('line', (l) => received.push(l));
    const [first] = (await once(lines, 'line')) as [string];
    const ready = JSON.parse(first) as Record<string, unknown> & { tap_config: Record<string, string> };
    for (const key of ['login_url', 'instance_url', 'client_id', 'client_secret', 'username', 'password', 'security_token']) {
      expect(typeof ready[key]).toBe('string');
    }
    expect(ready.tap_config).toEqual({
      auth_type: 'password',
      login_url: ready['login_url'],
      client_id: ready['client_id'],
      client_secret: ready['client_secret'],
      username: ready['username'],
      password: ready['password'],
      security_token: ready['security_token'],
    });
    const cfg = ready.tap_config;
    const token = await postForm(`${cfg.login_url}/services/oauth2/token`, {
      grant_type: 'password',
      client_id: cfg.client_id!,
      client_secret: cfg.client_secret!,
      username: cfg.username!,
      password: cfg.password! + cfg.security_token!,
    });
    expect(token.status).toBe(200);
    const versions = await httpRequest(`${String(ready['instance_url'])}/services/data/`);
    expect(versions.status).toBe(200);

    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(received).toHaveLength(1);
  });

  it('serves --extra-objects N generated custom objects besides the org\'s own', async () => {
    const child = spawn(process.execPath, [CLI, '--records', '5', '--extra-objects', '3'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const { instanceUrl, auth } = await loginFromReadyLine(child);
      const global = await httpRequest(`${instanceUrl}/services/data/v62.0/sobjects`, { headers: auth });
      const names = global.json<{ sobjects: { name: string }[] }>().sobjects.map((s) => s.name);
      expect(names.filter((n) => n.startsWith('Generated_'))).toEqual(['Generated_0001__c', 'Generated_0002__c', 'Generated_0003__c']);
      expect(names).toContain('Account');
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('starts with --profile realistic and a knob overridden, counting every call in Sforce-Limit-Info', async () => {
    const child = spawn(process.execPath, [CLI, '--records', '5', '--profile', 'realistic', '--rest-latency-ms', '40'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const { instanceUrl, auth } = await loginFromReadyLine(child);
      const first_ = await httpRequest(`${instanceUrl}/services/data/v62.0/limits`, { headers: auth });
      const second = await httpRequest(`${instanceUrl}/services/data/v62.0/limits`, { headers: auth });
      expect([first_.headers['sforce-limit-info'], second.headers['sforce-limit-info']]).toEqual(['api-usage=1/15000', 'api-usage=2/15000']);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });

  it('rejects an unknown --profile with exit code 2', async () => {
    const child = spawn(process.execPath, [CLI, '--profile', 'fast'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain('--profile');
  });

  it('rejects a malformed option with exit code 2', async () => {
    const child = spawn(process.execPath, [CLI, '--records', 'many'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(2);
    expect(stderr).toContain('--records');
  });
});
