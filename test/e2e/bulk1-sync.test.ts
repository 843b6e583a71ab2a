/**
 * Bulk API 1.0 (`api_type: BULK1`) gives the same records as Bulk API 2.0 and as REST for every
 * object the full-sync test compares, with PK chunking, and through incremental windows: the
 * same rows per window, the same bookmarks.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { runTap, type TapRun } from '../helpers/run-tap.js';

let emulator: Emulator;
const runs = new Map<string, TapRun>();

function byStream(run: TapRun): Map<string, Record<string, unknown>[]> {
  const out = new Map<string, Record<string, unknown>[]>();
  for (const [stream, records] of run.records()) out.set(stream, [...records].sort((a, b) => String(a.Id).localeCompare(String(b.Id))));
  return out;
}

beforeAll(async () => {
  emulator = await startEmulator({ records: 60, seed: 37 });
  Object.assign(emulator.settings, { bulkJobDelayMs: 0, bulk1ResultFileRows: 40 });
  const base = { ...emulator.tapConfig('password'), max_records: 1000 };
  for (const [name, config] of Object.entries({
    bulk1: { api_type: 'BULK1', pk_chunk_size: 25 },
    bulk2: { api_type: 'auto' },
    rest: { api_type: 'REST' },
  })) {
    runs.set(name, await runTap(['--config', '{file:config.json}'], { files: { 'config.json': { ...base, ...config } } }));
  }
}, 600_000);
afterAll(async () => {
  await emulator.close();
});

describe('Bulk API 1.0 against Bulk API 2.0 and REST', () => {
  it('emits the same records for every stream, each row once', () => {
    for (const run of runs.values()) expect(run.exitCode, run.stderr.slice(-2000)).toBe(0);
    const bulk1 = byStream(runs.get('bulk1')!);
    const bulk2 = byStream(runs.get('bulk2')!);
    const rest = byStream(runs.get('rest')!);
    expect([...bulk1.keys()].sort()).toEqual([...bulk2.keys()].sort());
    expect([...bulk1.keys()].sort()).toEqual([...rest.keys()].sort());
    let compared = 0;
    for (const [stream, records] of bulk1) {
      const ids = records.map((r) => r.Id);
      expect(ids.length, `${stream} duplicates`).toBe(new Set(ids).size);
      expect(records, `${stream}: Bulk 1.0 vs Bulk 2.0`).toEqual(bulk2.get(stream));
      expect(records, `${stream}: Bulk 1.0 vs REST`).toEqual(rest.get(stream));
      compared += records.length;
    }
    expect(compared).toBeGreaterThan(500);
  });

  it('went through Bulk API 1.0 jobs with PK chunking', () => {
    expect(emulator.journal.count({ route: 'bulk1.createJob', status: 201 })).toBeGreaterThan(5);
    const chunked = emulator.journal.entries({ route: 'bulk1.createJob' }).filter((e) => e.headers['sforce-enable-pkchunking']?.startsWith('chunkSize=25'));
    expect(chunked.length).toBeGreaterThan(5);
    expect(runs.get('bulk1')!.stderr).not.toMatch(/Bulk API 2\.0 job/);
  });

  it('ends every stream with a bookmark on the same replication key as Bulk API 2.0', () => {
    const keys = (run: TapRun) => {
      const bookmarks = (run.ofType('STATE').at(-1)!.value as { bookmarks: Record<string, { replication_key?: string }> }).bookmarks;
      return Object.fromEntries(Object.entries(bookmarks).map(([stream, b]) => [stream, b.replication_key]).sort(([a], [b]) => String(a).localeCompare(String(b))));
    };
    expect(keys(runs.get('bulk1')!)).toEqual(keys(runs.get('bulk2')!));
  });

  it('reads only what changed since its bookmark on the next incremental run', async () => {
    const state = runs.get('bulk1')!.ofType('STATE').at(-1)!.value;
    const changed = [...emulator.org.prepareQuery('SELECT Id FROM Account', { includeDeleted: false }).rows()].slice(0, 3).map((r) => r.id);
    // After the bookmark (whole seconds), beyond the lookback the run applies.
    await new Promise((r) => setTimeout(r, 1100));
    for (const id of changed) emulator.mutate.update('Account', id, { Name: `Changed ${id}` });
    // A run reads up to the last whole second before it starts: let the changes' second pass.
    await new Promise((r) => setTimeout(r, 1100));
    emulator.journal.clear();
    const next = await runTap(['--config', '{file:config.json}', '--state', '{file:state.json}'], {
      files: { 'config.json': { ...emulator.tapConfig('password'), api_type: 'BULK1', pk_chunk_size: 25, lookback_window: '0', streams_include: ['Account'] }, 'state.json': state },
    });
    expect(next.exitCode, next.stderr.slice(-2000)).toBe(0);
    const records = next.records().get('Account') ?? [];
    expect(records.map((r) => r.Id).sort()).toEqual([...changed].sort());
    expect(records.every((r) => String(r.Name).startsWith('Changed '))).toBe(true);
    expect(emulator.journal.count({ route: 'bulk1.createJob', status: 201 })).toBe(1);
  });
});
