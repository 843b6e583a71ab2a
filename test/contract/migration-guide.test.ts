/**
 * Every config and state example of the README's migration guide, run against the emulator: the
 * configs (their credentials replaced by the emulator's) discover without a warning about their
 * keys, and each state resumes from its bookmark.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { REPO_ROOT, runTapInProcess } from '../helpers/run-tap.js';

function examples(kind: 'config' | 'state'): unknown[] {
  const readme = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');
  return [...readme.matchAll(new RegExp('```json migration-' + kind + '\\n([\\s\\S]*?)\\n```', 'g'))].map((m) => JSON.parse(m[1]!) as unknown);
}

const CREDENTIALS = ['client_id', 'client_secret', 'refresh_token', 'username', 'password', 'security_token', 'auth_type', 'login_url'];

let emulator: Emulator;
let credentials: Record<string, unknown>;

beforeAll(async () => {
  emulator = await startEmulator({ records: 20, seed: 29 });
  credentials = { ...emulator.tapConfig('password'), lookback_window: '0' };
});

afterAll(async () => {
  await emulator?.close();
});

describe('the migration guide', () => {
  it('has config and state examples for each connector', () => {
    expect(examples('config')).toHaveLength(2);
    expect(examples('state')).toHaveLength(3);
  });

  it.each(examples('config').map((c, i) => [i, c]))('config example %i discovers with its keys as they are', async (_, example) => {
    const config = { ...Object.fromEntries(Object.entries(example as Record<string, unknown>).filter(([key]) => !CREDENTIALS.includes(key))), ...credentials };
    const run = await runTapInProcess(['--config', '{file:config.json}', '--discover'], { files: { 'config.json': config } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).not.toMatch(/ WARN /);
    const streams = (JSON.parse(run.stdout) as { streams: { stream: string }[] }).streams.map((s) => s.stream);
    if ('streams_criteria' in (example as object)) expect(streams).toEqual(['Account']);
    else expect(streams.length).toBeGreaterThan(5);
  });

  it.each(examples('state').map((s, i) => [i, s]))('state example %i resumes Account from its bookmark', async (_, state) => {
    const airbyte = Array.isArray(state);
    const discover = await runTapInProcess(airbyte ? ['discover', '--config', '{file:config.json}'] : ['--config', '{file:config.json}', '--discover'], { files: { 'config.json': credentials } });
    let catalog: unknown;
    if (airbyte) {
      const found = (discover.ofType('CATALOG')[0]!.catalog as { streams: { name: string }[] }).streams.find((s) => s.name === 'Account');
      catalog = { streams: [{ stream: found, sync_mode: 'incremental', destination_sync_mode: 'append' }] };
    } else {
      const singer = JSON.parse(discover.stdout) as { streams: { stream: string; metadata: { metadata: Record<string, unknown> }[] }[] };
      singer.streams = singer.streams.filter((s) => s.stream === 'Account');
      singer.streams[0]!.metadata[0]!.metadata.selected = true;
      catalog = singer;
    }
    const args = airbyte ? ['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}', '--state', '{file:state.json}'] : ['--config', '{file:config.json}', '--catalog', '{file:catalog.json}', '--state', '{file:state.json}'];
    const run = await runTapInProcess(args, { files: { 'config.json': credentials, 'catalog.json': catalog, 'state.json': state } });
    expect(run.exitCode, run.stderr).toBe(0);
    const bookmark = Date.parse('2024-03-01T10:00:00Z');
    const records = run.records().get('Account') ?? [];
    const all = [...emulator.org.prepareQuery('SELECT Id FROM Account', { includeDeleted: true }).rows()].map((r) => emulator.org.getRecord('Account', r.id)!);
    const changedSince = all.filter((r) => Date.parse(String(r.SystemModstamp)) >= bookmark);
    expect(changedSince.length).toBeGreaterThan(0);
    expect(records.length).toBe(changedSince.length);
    for (const record of records) expect(Date.parse(record.SystemModstamp as string)).toBeGreaterThanOrEqual(bookmark);
    if (JSON.stringify(state).includes('JobID')) expect(run.stderr).toMatch(/WARN .*JobID.*Account.*not resumed/);
  });
});
