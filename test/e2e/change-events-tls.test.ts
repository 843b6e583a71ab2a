/**
 * Change Data Capture over TLS: the emulator's Pub/Sub API on its TLS listener (a self-signed
 * certificate made at start), read by the built CLI that trusts the certificate through
 * `pubsub_ca_file`; without that trust, or against a plaintext listener, one clear error line.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { REPO_ROOT, runTap, type TapRun } from '../helpers/run-tap.js';

let em: Emulator;

beforeAll(async () => {
  em = await startEmulator({ records: 60, seed: 5, cdcObjects: ['Account'], pubsubTls: true });
  em.pubsub.settings.keepaliveMs = 200;
});
afterAll(async () => em.close());

const tls = () => em.pubsub.tls!;
const base = () => ({ ...em.tapConfig('password'), planner: 'sequential', streams_include: ['Account'], change_data_capture: ['Account'], cdc_idle_seconds: 2 });

/** A Singer run (no catalog: `streams_include`), from `state` when given. */
function sync(config: Record<string, unknown>, state?: unknown): Promise<TapRun> {
  return runTap(['--config', '{file:config.json}', ...(state ? ['--state', '{file:state.json}'] : [])], { files: { 'config.json': config, ...(state ? { 'state.json': state } : {}) } });
}

const lastState = (run: TapRun) => run.ofType('STATE').at(-1)!['value'];

/** Lines of stderr that are not progress or info logs. */
const problemLines = (stderr: string) => stderr.split('\n').filter((l) => /TAP_PUBSUB|error|fail/i.test(l));

describe('change events over TLS', () => {
  it('reads the snapshot and later changes through the TLS listener when its certificate is trusted', async () => {
    expect(tls().url).toMatch(/^localhost:\d+$/);
    const config = { ...base(), pubsub_url: tls().url, pubsub_ca_file: tls().caFile };
    const first = await sync(config);
    expect(first.exitCode, first.stderr).toBe(0);
    const subscribes = em.pubsub.stats().subscribes;
    expect(subscribes).toBeGreaterThan(0);

    const created = em.mutate.create('Account', { Name: 'over TLS' });
    const live = [...em.org.prepareQuery('SELECT Id FROM Account', { includeDeleted: false }).rows()].map((r) => r.id);
    const deleted = live.find((id) => id !== created)!;
    em.mutate.delete('Account', deleted);
    const second = await sync(config, lastState(first));
    expect(second.exitCode, second.stderr).toBe(0);
    const records = second.records().get('Account') ?? [];
    expect(records.find((r) => r['Id'] === created)?.['Name']).toBe('over TLS');
    expect(records.find((r) => r['Id'] === deleted)?.['_sdc_deleted_at']).toEqual(expect.any(String));
    expect(em.pubsub.stats().subscribes).toBeGreaterThan(subscribes);
  });

  it('fails with one clear line naming pubsub_ca_file when the certificate is not trusted', async () => {
    const run = await sync({ ...base(), pubsub_url: tls().url, pubsub_tls: 'tls' });
    expect(run.exitCode, run.stderr).toBe(7);
    const lines = problemLines(run.stderr);
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(/TAP_PUBSUB_TLS_UNTRUSTED/);
    expect(lines[0]).toMatch(/self-signed certificate.*pubsub_ca_file/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it('says so when a TLS client meets the plaintext listener, and when the CA file is missing', async () => {
    const plain = await sync({ ...base(), pubsub_url: em.pubsub.url, pubsub_tls: 'tls', pubsub_ca_file: tls().caFile });
    expect(plain.exitCode, plain.stderr).toBe(7);
    expect(problemLines(plain.stderr), plain.stderr).toEqual([expect.stringMatching(/pubsub_tls.*TAP_PUBSUB_NOT_TLS/)]);
    const missing = await sync({ ...base(), pubsub_url: tls().url, pubsub_ca_file: join(REPO_ROOT, 'no-such-ca.pem') });
    expect(missing.exitCode).toBe(3);
    expect(problemLines(missing.stderr), missing.stderr).toEqual([expect.stringMatching(/ENOENT.*TAP_PUBSUB_CA_FILE_UNREADABLE/)]);
  });

  it('the emulator CLI with --pubsub-tls names pubsub_tls_url and its certificate file on the ready line', async () => {
    const child = spawn(process.execPath, [join(REPO_ROOT, 'dist', 'emulator', 'cli.js'), '--records', '20', '--cdc-objects', 'Account', '--pubsub-tls'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const ready = JSON.parse(line) as Record<string, string> & { tap_config: Record<string, string> };
      expect(ready['pubsub_url']).toMatch(/^127\.0\.0\.1:\d+$/);
      expect(ready['pubsub_tls_url']).toMatch(/^localhost:\d+$/);
      expect(readFileSync(ready['pubsub_tls_ca_file']!, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
      const check = await runTap(['check', '--config', '{file:config.json}'], {
        files: { 'config.json': { ...ready.tap_config, change_data_capture: ['Account'], pubsub_url: ready['pubsub_tls_url'], pubsub_ca_file: ready['pubsub_tls_ca_file'] } },
      });
      const status = check.ofType('CONNECTION_STATUS')[0]!['connectionStatus'] as { status: string; message: string };
      expect(status.message).toMatch(/Change Data Capture: enabled for Account/);
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
  });
});
