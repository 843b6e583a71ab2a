/**
 * The data-driven planner on the emulator's journal (never on wall clock): no job for an empty
 * range, the next windows' jobs created before the previous window's download ends, small
 * windows served by Composite REST queries, STATE in window order after each window's records.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { runTap, type TapRun } from '../helpers/run-tap.js';

let emulator: Emulator;
const STREAMS = ['Account', 'Contact', 'Opportunity', 'Case', 'Campaign', 'Lead', 'AccountHistory'];

beforeAll(async () => {
  emulator = await startEmulator({ records: 6000, seed: 23, settings: { bulkJobDelayMs: 100, bulkResultPageRows: 1000 } });
});
afterAll(async () => emulator.close());
beforeEach(() => {
  emulator.faults.clear?.();
  emulator.journal.clear?.();
});

const orgIds = (sobject: string) => [...emulator.org.prepareQuery(`SELECT Id FROM ${sobject}`, { includeDeleted: true }).rows()].map((r) => r.id).sort();

async function read(settings: Record<string, unknown>, streams: string[], state?: unknown): Promise<TapRun> {
  const config = { ...emulator.tapConfig(), start_date: '2000-01-01T00:00:00Z', streams_include: streams, max_records: 1000, ...settings };
  const run = await runTap(['--config', '{file:config.json}', ...(state ? ['--state', '{file:state.json}'] : [])], { files: { 'config.json': config, ...(state ? { 'state.json': state } : {}) } });
  expect(run.exitCode, run.stderr).toBe(0);
  return run;
}

/** Each stream's messages in order, as `records` (runs of records) and `state:<value>`. */
function sequence(run: TapRun, stream: string): string[] {
  const out: string[] = [];
  for (const m of run.messages()) {
    if (m.type === 'RECORD' && m.stream === stream) {
      if (out.at(-1) !== 'records') out.push('records');
    } else if (m.type === 'STATE') {
      const value = ((m.value as { bookmarks: Record<string, { replication_key_value?: string }> }).bookmarks[stream])?.replication_key_value;
      if (value && out.at(-1) !== `state:${value}`) out.push(`state:${value}`);
    }
  }
  return out;
}

describe('adaptive planner', () => {
  it('creates no job for an empty range: one job per counted window instead of one per calendar year', async () => {
    const sequential = await read({ planner: 'sequential' }, ['Account']);
    const sequentialJobs = emulator.journal.count({ route: 'bulk.create' });
    emulator.journal.clear?.();
    const adaptive = await read({ planner: 'adaptive', window_rows: 2000, small_read_rows: 0 }, ['Account']);
    const adaptiveJobs = emulator.journal.count({ route: 'bulk.create' });
    const windows = sequence(adaptive, 'Account').filter((s) => s.startsWith('state')).length;
    // 6,000 rows in windows of at most 2,000 (neighbours merged while they fit): 3 to 6 windows, each its own job, none empty.
    expect(adaptiveJobs).toBe(windows);
    expect(adaptiveJobs).toBeGreaterThanOrEqual(3);
    expect(adaptiveJobs).toBeLessThanOrEqual(6);
    expect(sequentialJobs).toBeGreaterThanOrEqual(25);
    const ids = (run: TapRun) => (run.records().get('Account') ?? []).map((r) => r.Id as string).sort();
    expect(ids(adaptive)).toEqual(orgIds('Account'));
    expect(ids(sequential)).toEqual(orgIds('Account'));
  }, 240_000);

  it('creates the next windows\' jobs before the previous window\'s download ends, and still emits STATE in window order', async () => {
    const run = await read({ planner: 'adaptive', window_rows: 2500, small_read_rows: 0, bulk_job_concurrency: 4, result_page_concurrency: 1 }, ['Account']);
    const entries = emulator.journal.entries();
    const creates = entries.filter((e) => e.route === 'bulk.create');
    const firstJob = entries.find((e) => e.route === 'bulk.results')!.path.split('/').at(-2);
    const firstJobResults = entries.filter((e) => e.route === 'bulk.results' && e.path.includes(`/${firstJob}/`));
    expect(creates.length).toBeGreaterThanOrEqual(3);
    expect(firstJobResults.length).toBeGreaterThan(1);
    // The second job was created before the first job's last results page was asked for.
    expect(creates[1]!.seq).toBeLessThan(firstJobResults.at(-1)!.seq);
    const seq = sequence(run, 'Account');
    const states = seq.filter((s) => s.startsWith('state')).map((s) => s.slice(6));
    expect(states).toEqual([...states].sort());
    expect(new Set(states).size).toBe(states.length);
    // Records, then the STATE covering them, window after window.
    expect(seq).toEqual(states.flatMap((s) => ['records', `state:${s}`]));
    expect((run.records().get('Account') ?? []).map((r) => r.Id as string).sort()).toEqual(orgIds('Account'));
  }, 240_000);

  it('starts the first job of a stream waiting for its turn while the stream before it downloads, and emits it after', async () => {
    const run = await read({ planner: 'adaptive', stream_concurrency: 1, small_read_rows: 0 }, ['Contact', 'Lead']);
    const entries = emulator.journal.entries();
    const results = entries.filter((e) => e.route === 'bulk.results');
    const jobOf = (e: { path: string }) => e.path.split('/').at(-2);
    const firstJob = jobOf(results[0]!);
    const firstDone = results.filter((e) => jobOf(e) === firstJob).at(-1)!.seq;
    // One job per stream, both created before the first stream's results were all asked for.
    expect(emulator.journal.count({ route: 'bulk.create' })).toBe(2);
    expect(entries.filter((e) => e.route === 'bulk.create' && e.seq < firstDone)).toHaveLength(2);
    // The second stream's records and statuses all come after the first stream's.
    const streams = run.messages().filter((m) => m.type === 'RECORD').map((m) => m.stream as string);
    const [first, second] = [streams[0]!, streams.at(-1)!];
    expect(first).not.toBe(second);
    expect(streams.lastIndexOf(first)).toBeLessThan(streams.indexOf(second));
    expect(run.stderr.indexOf(`${first}: complete`)).toBeLessThan(run.stderr.indexOf(`${second}: started`));
    for (const sobject of ['Contact', 'Lead']) expect((run.records().get(sobject) ?? []).map((r) => r.Id as string).sort()).toEqual(orgIds(sobject));
  }, 240_000);

  it('starts the biggest initial loads first when more streams are selected than run at once, from one Record Count call', async () => {
    const streams = ['Campaign', 'Case', 'Contact', 'Lead', 'AccountHistory'];
    const started = (run: TapRun) => [...run.stderr.matchAll(/ INFO (\w+): started$/gm)].map((m) => m[1]!);
    emulator.settings.limitsAccess = false;
    try {
      const unordered = await read({ planner: 'adaptive', stream_concurrency: 2 }, streams);
      expect(unordered.stderr).toMatch(/Record counts unavailable \(.*View Setup and Configuration.*\); streams start in catalog order/);
      expect(started(unordered)).toEqual([...streams].sort());
    } finally {
      emulator.settings.limitsAccess = true;
    }
    emulator.journal.clear?.();
    const run = await read({ planner: 'adaptive', stream_concurrency: 2 }, streams);
    expect(emulator.journal.count({ route: 'rest.recordCount' })).toBe(1);
    const count = (sobject: string) => emulator.org.prepareQuery(`SELECT COUNT() FROM ${sobject}`, { includeDeleted: false }).totalSize();
    // History objects have no count: they may be the biggest, so they start first; then by rows, ties in catalog order.
    const expected = [...streams].sort().map((name) => ({ name, rows: name === 'AccountHistory' ? Infinity : count(name) }));
    expected.sort((a, b) => b.rows - a.rows);
    expect(started(run)).toEqual(expected.map((e) => e.name));
    expect(new Set(expected.map((e) => e.rows)).size).toBeGreaterThan(2);
    // An incremental run of the same streams needs no counts.
    emulator.journal.clear?.();
    await read({ planner: 'adaptive', stream_concurrency: 2 }, streams, run.ofType('STATE').at(-1)!.value);
    expect(emulator.journal.count({ route: 'rest.recordCount' })).toBe(0);
  }, 240_000);

  it('reads small windows through Composite REST queries, several streams in one API call', async () => {
    const first = await read({ planner: 'adaptive' }, STREAMS);
    const state = first.ofType('STATE').at(-1)!.value;
    // A few rows change after the first run: the next run reads them without a single Bulk job.
    const changed = orgIds('Contact').slice(0, 3);
    for (const id of changed) emulator.mutate.update('Contact', id, { LastName: 'Changed' });
    // A run reads up to the last whole second before it starts: let the changes' second pass.
    await new Promise((r) => setTimeout(r, 1100));
    emulator.journal.clear?.();
    const second = await read({ planner: 'adaptive', lookback_window: '0', stream_concurrency: 8 }, STREAMS, state);
    expect(emulator.journal.count({ route: 'bulk.create' })).toBe(0);
    const composites = emulator.journal.count({ route: 'rest.composite' });
    expect(composites).toBeGreaterThanOrEqual(1);
    expect(composites).toBeLessThan(STREAMS.length);
    expect(emulator.journal.count({ route: /^rest\.query(All)?$/ })).toBe(0);
    // getDeleted rides in the same Composite requests as the queries: no call of its own.
    expect(emulator.journal.count({ route: 'rest.deleted' })).toBe(0);
    expect(emulator.journal.entries({ route: 'rest.composite' }).some((e) => e.subrequests?.includes('rest.deleted') && e.subrequests.some((r) => r.startsWith('rest.query')))).toBe(true);
    expect((second.records().get('Contact') ?? []).map((r) => r.Id as string).sort()).toEqual(expect.arrayContaining(changed));
  }, 240_000);
});
