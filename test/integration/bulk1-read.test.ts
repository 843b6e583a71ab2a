import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { runTap } from '../helpers/run-tap.js';

let emulator: Emulator;
let catalog: unknown;

beforeAll(async () => {
  emulator = await startEmulator({ records: 3000, seed: 8 });
  const discover = await runTap(['discover', '--config', '{file:config.json}'], { files: { 'config.json': emulator.tapConfig() } });
  const stream = (discover.ofType('CATALOG')[0]!.catalog as { streams: { name: string }[] }).streams.find((s) => s.name === 'Account');
  catalog = { streams: [{ stream, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' }] };
});
afterAll(async () => emulator.close());
beforeEach(() => {
  emulator.faults.clear();
  emulator.journal.clear();
  Object.assign(emulator.settings, { bulkJobDelayMs: 0, bulk1ParallelChunks: 10, bulk1ResultFileRows: 1_000_000 });
});

const allIds = () => new Set([...emulator.org.prepareQuery('SELECT Id FROM Account', { includeDeleted: true }).rows()].map((r) => r.id));

async function read(config: Record<string, unknown>, expectedExit = 0) {
  const run = await runTap(['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}'], { files: { 'config.json': { ...emulator.tapConfig(), api_type: 'BULK1', ...config }, 'catalog.json': catalog } });
  expect(run.exitCode, run.stderr).toBe(expectedExit);
  const ids = (run.records().get('Account') ?? []).map((r) => r.Id as string);
  return { run, ids };
}

describe('Bulk API 1.0 reads', () => {
  it('splits the load with PK chunking and downloads each chunk as it completes, while later chunks still run', async () => {
    // One chunk at a time, a second each: the last chunk completes seconds after the first.
    Object.assign(emulator.settings, { bulkJobDelayMs: 1000, bulk1ParallelChunks: 1 });
    const { ids } = await read({ pk_chunk_size: 500 });
    expect(ids.length).toBe(new Set(ids).size);
    expect(new Set(ids)).toEqual(allIds());
    const create = emulator.journal.entries({ route: 'bulk1.createJob' });
    expect(create).toHaveLength(1);
    expect(create[0]!.headers['sforce-enable-pkchunking']).toBe('chunkSize=500');
    expect(create[0]!.headers['x-sfdc-session']).toBeUndefined();
    const chunks = Math.ceil(emulator.org.rowCount('Account') / 500);
    const lastChunkDone = emulator.journal.entries({ route: 'bulk1.addBatch' })[0]!.startedAt + chunks * 1000;
    expect(emulator.journal.entries({ route: 'bulk1.result' })[0]!.startedAt).toBeLessThan(lastChunkDone);
    expect(emulator.journal.count({ route: 'bulk1.result' })).toBe(chunks);
    // Closed right after its batch was added; never aborted.
    expect(emulator.journal.count({ route: 'bulk1.updateJob' })).toBe(1);
  });

  it('reads in one batch when pk_chunking is false, polling that batch', async () => {
    const { ids } = await read({ pk_chunking: false });
    expect(new Set(ids)).toEqual(allIds());
    expect(emulator.journal.entries({ route: 'bulk1.createJob' })[0]!.headers['sforce-enable-pkchunking']).toBeUndefined();
    expect(emulator.journal.count({ route: 'bulk1.getBatch' })).toBeGreaterThan(0);
    expect(emulator.journal.count({ route: 'bulk1.listBatches' })).toBe(0);
  });

  it('reads every result file of a batch, and fetches a broken one again without a duplicate', async () => {
    emulator.settings.bulk1ResultFileRows = 1000;
    emulator.faults.add({ route: 'bulk1.result', afterBytes: 30_000, truncateMode: 'reset', times: 1 });
    emulator.faults.add({ route: 'bulk1.result', afterBytes: 50_000, truncateMode: 'end', times: 1 });
    const { ids, run } = await read({ pk_chunking: false });
    expect(ids.length).toBe(new Set(ids).size);
    expect(new Set(ids)).toEqual(allIds());
    expect(run.stderr).toMatch(/fetching it again from that row/);
  });

  it('renews the session on InvalidSessionId and goes on', async () => {
    emulator.faults.add({ route: 'bulk1.listBatches', action: 'session-expired' });
    const { ids } = await read({ pk_chunk_size: 1000 });
    expect(new Set(ids)).toEqual(allIds());
    expect(emulator.journal.count({ route: 'oauth.token' })).toBe(2);
  });

  it('never replays a lost batch POST: that job is aborted and the query started once more', async () => {
    emulator.faults.add({ route: 'bulk1.addBatch', afterBytes: 0, truncateMode: 'reset', times: 1 });
    const { ids, run } = await read({ pk_chunk_size: 1000 });
    expect(ids.length).toBe(new Set(ids).size);
    expect(new Set(ids)).toEqual(allIds());
    expect(emulator.journal.count({ route: 'bulk1.createJob' })).toBe(2);
    expect(emulator.journal.count({ route: 'bulk1.addBatch' })).toBe(2);
    const updates = emulator.journal.entries({ route: 'bulk1.updateJob' });
    expect(updates.filter((e) => e.status === 200)).toHaveLength(2);
    expect(run.stderr).toMatch(/reply to the query batch of Bulk API 1.0 job \w+ was lost .*aborted that job/);
  });

  it('aborts the job when a chunk fails and reports the stream INCOMPLETE', async () => {
    emulator.faults.add({ route: 'bulk1.addBatch', action: 'job-failed', errorMessage: 'InvalidBatch : Failed to process query: something went wrong' });
    const { run } = await read({ pk_chunk_size: 1000 }, 7);
    expect(run.stderr).toMatch(/Bulk API 1.0 batch \w+ of job \w+ failed: InvalidBatch : Failed to process query: something went wrong/);
    // Closed after its batch, then aborted when the read failed.
    expect(emulator.journal.count({ route: 'bulk1.updateJob', status: 200 })).toBe(2);
  });
});
