import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { runTapInProcess as runTap } from '../helpers/run-tap.js';

let emulator: Emulator;
let catalog: unknown;

beforeAll(async () => {
  emulator = await startEmulator({ records: 6000, seed: 5 });
  const discover = await runTap(['discover', '--config', '{file:config.json}'], { files: { 'config.json': emulator.tapConfig() } });
  const stream = (discover.ofType('CATALOG')[0]!.catalog as { streams: { name: string }[] }).streams.find((s) => s.name === 'Account');
  catalog = { streams: [{ stream, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' }] };
});
afterAll(async () => emulator.close());
beforeEach(() => {
  emulator.faults.clear?.();
  emulator.journal.clear?.();
});

const allIds = () => new Set([...emulator.org.prepareQuery('SELECT Id FROM Account', { includeDeleted: true }).rows()].map((r) => r.id));

async function read(config: Record<string, unknown>) {
  const run = await runTap(['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}'], { files: { 'config.json': { ...emulator.tapConfig(), ...config }, 'catalog.json': catalog } });
  expect(run.exitCode, run.stderr).toBe(0);
  const ids = (run.records().get('Account') ?? []).map((r) => r.Id as string);
  return { run, ids };
}

describe('Bulk API 2.0 result download', () => {
  it('downloads result partitions in parallel and gets every row exactly once', async () => {
    emulator.settings.bulkResultPageRows = 1500;
    const { ids } = await read({ max_records: 1000, result_page_concurrency: 3 });
    expect(emulator.journal.count({ route: 'bulk.resultPages' })).toBeGreaterThan(0);
    expect(ids.length).toBe(new Set(ids).size);
    expect(new Set(ids)).toEqual(allIds());
  });

  it('walks the locator chain when parallel download is off, with the same rows', async () => {
    const { ids } = await read({ max_records: 1000, result_page_concurrency: 1 });
    expect(emulator.journal.count({ route: 'bulk.resultPages' })).toBe(0);
    expect(emulator.journal.count({ route: 'bulk.results' })).toBeGreaterThanOrEqual(6);
    expect(new Set(ids)).toEqual(allIds());
  });

  it('reads the same rows gzipped (compression: gzip) as plain (the default from a loopback host)', async () => {
    const plain = await read({ max_records: 2500 });
    expect(emulator.journal.entries().filter((e) => e.route === 'bulk.results' || e.route === 'bulk.resultPages').every((e) => e.headers['accept-encoding'] === undefined)).toBe(true);
    emulator.journal.clear?.();
    const gzipped = await read({ max_records: 2500, compression: 'gzip' });
    expect(emulator.journal.entries().filter((e) => e.route === 'bulk.results' || e.route === 'bulk.resultPages').every((e) => e.headers['accept-encoding'] === 'gzip')).toBe(true);
    const byId = (rows: Record<string, unknown>[] = []) => [...rows].sort((a, b) => String(a.Id).localeCompare(String(b.Id)));
    expect(plain.ids.length).toBe(allIds().size);
    expect(byId(gzipped.run.records().get('Account'))).toEqual(byId(plain.run.records().get('Account')));
  });

  it('fetches a page again after a reset or a truncated body and emits no row twice', async () => {
    emulator.faults.add({ route: 'bulk.results', afterBytes: 40_000, truncateMode: 'reset', times: 2 });
    emulator.faults.add({ route: 'bulk.results', afterBytes: 90_000, truncateMode: 'end', times: 1 });
    const { ids, run } = await read({ max_records: 1000, result_page_concurrency: 1 });
    expect(ids.length).toBe(new Set(ids).size);
    expect(new Set(ids)).toEqual(allIds());
    expect(run.stderr).toMatch(/fetching it again/);
  });
});

describe('a lost job creation reply', () => {
  it('is not replayed blindly: the job the POST created is found in the job list, aborted, and created once more', async () => {
    // The org creates the job, then the connection drops before the reply.
    emulator.faults.add({ route: 'bulk.create', afterBytes: 0, truncateMode: 'reset', times: 1 });
    const { ids, run } = await read({ max_records: 1000 });
    expect(new Set(ids)).toEqual(allIds());
    expect(ids.length).toBe(new Set(ids).size);
    expect(emulator.journal.count({ route: 'bulk.create' })).toBe(2);
    expect(emulator.journal.count({ route: 'bulk.list' })).toBeGreaterThan(0);
    expect(emulator.journal.count({ route: 'bulk.abort' })).toBe(1);
    expect(run.stderr).toMatch(/reply to a Bulk job creation for Account was lost .*aborted 1 job/);
  });
});

describe('interruption', () => {
  it('aborts the Bulk jobs this run created and exits 143 on SIGTERM', async () => {
    emulator.settings.bulkJobDelayMs = 60_000;
    try {
      const run = await runTap(['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}'], {
        files: { 'config.json': emulator.tapConfig(), 'catalog.json': catalog },
        signal: { name: 'SIGTERM', afterMs: 4000 },
      });
      expect(run.exitCode).toBe(143);
      expect(emulator.journal.count({ route: 'bulk.create' })).toBe(1);
      expect(emulator.journal.count({ route: 'bulk.abort' })).toBe(1);
      expect(run.ofType('TRACE').some((m) => (m.trace as { type: string }).type === 'ERROR')).toBe(true);
    } finally {
      emulator.settings.bulkJobDelayMs = 200;
    }
  });
});

describe('a Bulk job that fails', () => {
  it('is given up alone: the running job of the other stream is not aborted and completes', async () => {
    const discover = await runTap(['discover', '--config', '{file:config.json}'], { files: { 'config.json': emulator.tapConfig() } });
    const streams = (discover.ofType('CATALOG')[0]!.catalog as { streams: { name: string }[] }).streams;
    const two = { streams: ['Account', 'Contact'].map((name) => ({ stream: streams.find((s) => s.name === name), sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' })) };
    emulator.journal.clear();
    emulator.settings.bulkJobDelayMs = 3000;
    emulator.faults.add({ route: 'bulk.create', action: 'job-failed', errorMessage: 'InvalidBatch : Failed to process query', times: 1 });
    try {
      const run = await runTap(['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}'], {
        files: { 'config.json': { ...emulator.tapConfig(), stream_concurrency: 2 }, 'catalog.json': two },
      });
      expect(run.exitCode, run.stderr).toBe(7);
      expect(emulator.journal.count({ route: 'bulk.create' })).toBe(2);
      expect(emulator.journal.count({ route: 'bulk.abort' })).toBeLessThanOrEqual(1);
      const statuses = run.messages()
        .filter((m) => m.type === 'TRACE' && (m.trace as { type: string }).type === 'STREAM_STATUS')
        .map((m) => (m.trace as { stream_status: { status: string } }).stream_status.status);
      expect(statuses.filter((s) => s === 'COMPLETE')).toHaveLength(1);
      expect(statuses.filter((s) => s === 'INCOMPLETE')).toHaveLength(1);
      expect(run.errors()).toHaveLength(1);
    } finally {
      emulator.settings.bulkJobDelayMs = 200;
    }
  });
});
