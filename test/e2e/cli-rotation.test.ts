import { readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertValidAirbyteLines } from '../helpers/airbyte-validator.js';
import { expectNoSecrets, runTap } from '../helpers/run-tap.js';

// A minimal org with refresh token rotation: every refresh answers with a new refresh token.
let server: Server;
let base: string;
let rotations = 0;
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/services/oauth2/token') {
        rotations += 1;
        res.end(JSON.stringify({ access_token: `00D000000000001!access-${rotations}-xyz`, instance_url: base, refresh_token: `rotated-refresh-${rotations}-xyz` }));
      } else if (req.url?.endsWith('/sobjects')) {
        res.end(JSON.stringify({ encoding: 'UTF-8', maxBatchSize: 200, sobjects: [{ name: 'Account', queryable: true }, { name: 'X', queryable: false }] }));
      } else if (req.url?.endsWith('/limits')) {
        res.end(JSON.stringify({ DailyApiRequests: { Max: 15000, Remaining: 14990 } }));
      } else {
        res.statusCode = 404;
        res.end('[{"errorCode":"NOT_FOUND","message":"nope"}]');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('rotated refresh tokens', () => {
  it('Airbyte: sends the merged config in one CONTROL message, keeping the nested credentials layout', async () => {
    const config = { credentials: { auth_type: 'Client', client_id: 'cid', client_secret: 'client-secret-abc', refresh_token: 'original-refresh-abc' }, login_url: base, start_date: '2024-01-01' };
    const run = await runTap(['check', '--config', '{file:config.json}'], { files: { 'config.json': config } });
    expect(run.exitCode).toBe(0);
    const messages = assertValidAirbyteLines(run.stdout);
    const controls = messages.filter((m) => m.type === 'CONTROL');
    expect(controls).toHaveLength(1);
    const updated = (controls[0]!.control as { connectorConfig: { config: typeof config } }).connectorConfig.config;
    expect(updated).toEqual({ ...config, credentials: { ...config.credentials, refresh_token: `rotated-refresh-${rotations}-xyz` } });
    const statuses = messages.filter((m) => m.type === 'CONNECTION_STATUS');
    expect(statuses).toEqual([{ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED', message: expect.stringContaining('14990 of 15000') } }]);
    // The rotated token may only appear inside the CONTROL message.
    expectNoSecrets(run, ['client-secret-abc', 'original-refresh-abc', `rotated-refresh-${rotations}-xyz`, `access-${rotations}-xyz`], [`rotated-refresh-${rotations}-xyz`, 'client-secret-abc']);
  });

  it('Singer: rewrites the config file atomically with mode 0600', async () => {
    const config = { client_id: 'cid', client_secret: 'client-secret-abc', refresh_token: 'original-refresh-def', login_url: base };
    const run = await runTap(['--config', '{file:config.json}', '--test'], { files: { 'config.json': config } });
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toBe('');
    const path = join(run.dir, 'config.json');
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ ...config, refresh_token: `rotated-refresh-${rotations}-xyz` });
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expectNoSecrets(run, ['client-secret-abc', 'original-refresh-def', `rotated-refresh-${rotations}-xyz`]);
  });

  it('Singer: leaves the file alone when persist_rotated_refresh_token is false, and warns', async () => {
    const config = { client_id: 'cid', refresh_token: 'original-refresh-ghi', login_url: base, persist_rotated_refresh_token: false };
    const run = await runTap(['--config', '{file:config.json}', '--test'], { files: { 'config.json': config } });
    expect(run.exitCode).toBe(0);
    expect(JSON.parse(readFileSync(join(run.dir, 'config.json'), 'utf8'))).toEqual(config);
    expect(run.stderr).toContain('persist_rotated_refresh_token');
  });
});
