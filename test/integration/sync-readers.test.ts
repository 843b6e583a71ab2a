/**
 * The readers, Bulk API 2.0 jobs and read hooks against the emulator over real HTTP, in process:
 * the same rows whichever API serves a window, jobs created once and aborted when abandoned,
 * windows planned from the object's first row.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { buildStreamDefinition } from '../../src/catalog/build-stream.js';
import { describeObjects } from '../../src/catalog/discover.js';
import type { SelectedStream } from '../../src/catalog/types.js';
import { parseConfig } from '../../src/config/parse-config.js';
import { TapError } from '../../src/core/errors.js';
import { BulkJobRegistry, classifyBulkFailure, createQueryJobOnce, waitForJob } from '../../src/salesforce/bulk2/jobs.js';
import { connectSalesforce, type ConnectedClient } from '../../src/salesforce/http/connect-client.js';
import { createBulkReader } from '../../src/sync/bulk2-reader.js';
import type { ReadRequest, SyncWindow, WindowReader } from '../../src/sync/read-apis.js';
import { buildReadHooks, classifyReadFailure } from '../../src/sync/read-hooks.js';
import { buildReadPlan } from '../../src/sync/read-plan.js';
import type { ReaderSettings } from '../../src/sync/readers.js';
import { createRestReader } from '../../src/sync/rest-reader.js';

let emulator: Emulator;
let connected: ConnectedClient;
let account: SelectedStream;
const signal = new AbortController().signal;
const settings: ReaderSettings = {
  maxRecords: 700, restBatchSize: 200, includeDeleted: false, streamWhere: {}, resultPageConcurrency: 3,
  bulkJobTimeoutMs: 10_000, pollInitialMs: 20, pollMaxMs: 100, log: () => undefined,
};

beforeAll(async () => {
  emulator = await startEmulator({ records: 2500, seed: 11, settings: { bulkJobDelayMs: 30, bulkResultPageRows: 900 } });
  connected = await connectSalesforce(parseConfig(emulator.tapConfig()));
  const [describe] = await describeObjects(connected.client, ['Account'], { concurrency: 1, keep: () => true, log: () => undefined });
  const definition = buildStreamDefinition(describe!);
  account = { definition, fields: ['Id', 'Name', 'SystemModstamp', 'BillingAddress'].filter((f) => definition.fields.some((d) => d.name === f)), method: 'INCREMENTAL', replicationKey: 'SystemModstamp' };
});
afterAll(async () => {
  await connected?.close();
  await emulator?.close();
});
beforeEach(() => {
  emulator.faults.clear?.();
  emulator.journal.clear?.();
});

const ids = (window?: SyncWindow) =>
  [...emulator.org.prepareQuery(`SELECT Id FROM Account${window ? ` WHERE SystemModstamp >= ${window.start} AND SystemModstamp < ${window.end}` : ''}`, { includeDeleted: false }).rows()].map((r) => r.id).sort();

async function readAll(reader: WindowReader, window?: SyncWindow): Promise<{ records: Record<string, unknown>[]; estimate: number | undefined }> {
  let estimate: number | undefined;
  const request: ReadRequest = { stream: account, plan: buildReadPlan(account), api: 'test', signal, ...(window ? { window } : {}), onEstimate: (rows) => (estimate = rows) };
  const records: Record<string, unknown>[] = [];
  for await (const batch of reader(request)) {
    if (batch.objects) records.push(...batch.objects);
    if (batch.json) for (const line of batch.json.toString().split('\n').filter(Boolean)) records.push(JSON.parse(line) as Record<string, unknown>);
  }
  return { records, estimate };
}

describe('Bulk API 2.0 and REST readers', () => {
  it('read the same records of a window, compounds rebuilt, with the server\'s row count as estimate', async () => {
    const all = ids();
    const window = { start: '2000-01-01T00:00:00.000Z', end: new Date().toISOString() };
    const bulk = await readAll(createBulkReader(connected.client, settings, new BulkJobRegistry()), window);
    const rest = await readAll(createRestReader(connected.client, settings), window);
    const byId = (rows: Record<string, unknown>[]) => [...rows].sort((a, b) => String(a.Id).localeCompare(String(b.Id)));
    expect(bulk.records.map((r) => r.Id).sort()).toEqual(all);
    expect(byId(bulk.records)).toEqual(byId(rest.records));
    expect(bulk.estimate).toBe(all.length);
    expect(rest.estimate).toBe(all.length);
    if (account.fields.includes('BillingAddress')) expect(bulk.records.some((r) => r.BillingAddress !== null && typeof r.BillingAddress === 'object')).toBe(true);
  });

  it('read only the rows of the window', async () => {
    const stamps = [...emulator.org.prepareQuery('SELECT SystemModstamp FROM Account ORDER BY SystemModstamp', { includeDeleted: false }).rows()];
    const start = new Date(String(stamps[Math.floor(stamps.length / 2)]!.values[0])).toISOString();
    const window = { start, end: new Date().toISOString() };
    expect(ids(window).length).toBeGreaterThan(0);
    expect(ids(window).length).toBeLessThan(ids().length);
    const bulk = await readAll(createBulkReader(connected.client, settings, new BulkJobRegistry()), window);
    expect(bulk.records.map((r) => r.Id).sort()).toEqual(ids(window));
  });

  it('aborts its job when a Bulk read is abandoned while the job runs', async () => {
    const jobs = new BulkJobRegistry();
    const reader = createBulkReader(connected.client, settings, jobs);
    const request: ReadRequest = { stream: account, plan: buildReadPlan(account), api: 'bulk', signal, onEstimate: () => undefined };
    emulator.faults.add({ route: 'bulk.create', action: 'job-never-finishes' });
    const iterator = reader({ ...request, signal: AbortSignal.timeout(300) })[Symbol.asyncIterator]();
    await expect(iterator.next()).rejects.toBeDefined();
    expect(jobs.open).toEqual([]);
    expect(emulator.journal.count({ route: 'bulk.abort' })).toBe(1);
  });
});

describe('Bulk API 2.0 jobs', () => {
  it('creates a job once when the reply to its POST is lost, aborting the one the lost POST made', async () => {
    emulator.faults.add({ route: 'bulk.create', action: 'truncate', afterBytes: 0, truncateMode: 'reset' });
    // The orphan must still be running when the job list is read, however slow the machine.
    const delayMs = emulator.settings.bulkJobDelayMs;
    emulator.settings.bulkJobDelayMs = 60_000;
    const registry = new BulkJobRegistry();
    const warnings: string[] = [];
    const job = await createQueryJobOnce(connected.client, { query: 'SELECT Id FROM Account', operation: 'query', sobject: 'Account' }, registry, signal, (m) => warnings.push(m)).finally(() => {
      emulator.settings.bulkJobDelayMs = delayMs;
    });
    expect(job.id).toMatch(/^750/);
    expect(emulator.journal.count({ route: 'bulk.create' })).toBe(2);
    expect(emulator.journal.count({ route: 'bulk.abort' })).toBe(1);
    expect(warnings[0]).toContain('creating it again');
  });

  it('waits for a job until it completes, and fails with the job\'s message when it fails', async () => {
    const registry = new BulkJobRegistry();
    const ok = await createQueryJobOnce(connected.client, { query: 'SELECT Id FROM Account', operation: 'query', sobject: 'Account' }, registry, signal, () => undefined);
    expect((await waitForJob(connected.client, ok.id, { signal, timeoutMs: 10_000, pollInitialMs: 10, pollMaxMs: 50 })).state).toBe('JobComplete');
    emulator.faults.add({ route: 'bulk.create', action: 'job-failed', errorMessage: 'Query timed out' });
    const bad = await createQueryJobOnce(connected.client, { query: 'SELECT Id FROM Account', operation: 'query', sobject: 'Account' }, registry, signal, () => undefined);
    const error = (await waitForJob(connected.client, bad.id, { signal, timeoutMs: 10_000, pollInitialMs: 10, pollMaxMs: 50 }).catch((e: unknown) => e)) as TapError;
    expect(error.code).toBe('SF_BULK_JOB_FAILED');
    expect(classifyBulkFailure(error)).toBe('shrink_window');
  });

  it('times a job out that never finishes', async () => {
    emulator.faults.add({ route: 'bulk.create', action: 'job-never-finishes' });
    const job = await createQueryJobOnce(connected.client, { query: 'SELECT Id FROM Account', operation: 'query', sobject: 'Account' }, new BulkJobRegistry(), signal, () => undefined);
    await expect(waitForJob(connected.client, job.id, { signal, timeoutMs: 200, pollInitialMs: 20, pollMaxMs: 40 })).rejects.toMatchObject({ code: 'TAP_BULK_JOB_TIMEOUT' });
  });

  it('aborts every job still open, once', async () => {
    const registry = new BulkJobRegistry();
    for (let i = 0; i < 2; i += 1) {
      emulator.faults.add({ route: 'bulk.create', action: 'job-never-finishes' });
      registry.add((await createQueryJobOnce(connected.client, { query: 'SELECT Id FROM Account', operation: 'query', sobject: 'Account' }, registry, signal, () => undefined)).id);
    }
    expect(await registry.abortAll(connected.client)).toBe(2);
    expect(await registry.abortAll(connected.client)).toBe(0);
    expect(emulator.journal.count({ route: 'bulk.abort' })).toBe(2);
  });
});

describe('read hooks', () => {
  const base = { lookbackSeconds: 0, windowSeconds: 365 * 86_400, minWindowSeconds: 60, includeDeleted: false, streamWhere: {}, quotaPercentTotal: 90, quotaPercentPerRun: 50 };

  it('plan windows from the first row when there is no bookmark and no start date, up to the sync start', async () => {
    const hooks = buildReadHooks(connected.client, base, () => undefined);
    const syncStart = new Date();
    const windows = await hooks.planWindows(account, undefined, syncStart, signal);
    const first = [...emulator.org.prepareQuery('SELECT SystemModstamp FROM Account ORDER BY SystemModstamp ASC LIMIT 1', { includeDeleted: false }).rows()];
    expect(first).toHaveLength(1);
    expect(windows.length).toBeGreaterThan(0);
    expect(windows.at(-1)!.end).toBe(syncStart.toISOString());
    for (let i = 1; i < windows.length; i += 1) expect(windows[i]!.start).toBe(windows[i - 1]!.end);
  });

  it('plan from the bookmark minus the lookback', async () => {
    const hooks = buildReadHooks(connected.client, { ...base, lookbackSeconds: 600 }, () => undefined);
    const windows = await hooks.planWindows(account, { replicationKey: 'SystemModstamp', value: '2024-01-01T00:10:00.000Z' }, new Date('2024-01-02T00:00:00.000Z'), signal);
    expect(windows).toEqual([{ start: '2024-01-01T00:00:00.000Z', end: '2024-01-02T00:00:00.000Z' }]);
  });

  it('count the rows of a range', async () => {
    const hooks = buildReadHooks(connected.client, base, () => undefined);
    expect(await hooks.countRows!(account, undefined, signal)).toBe(ids().length);
  });

  it('send a refused Bulk job to the fallback and a timed-out query to a smaller window', () => {
    expect(classifyReadFailure(new TapError('SF_INVALIDENTITY', 'x', { kind: 'salesforce' }), 'bulk')).toBe('fall_back');
    expect(classifyReadFailure(new TapError('TAP_BULK_JOB_TIMEOUT', 'x', { kind: 'transient' }), 'bulk')).toBe('shrink_window');
    expect(classifyReadFailure(new TapError('SF_QUERY_TIMEOUT', 'x', { kind: 'salesforce' }), 'rest')).toBe('shrink_window');
    expect(classifyReadFailure(new TapError('SF_MALFORMED_QUERY', 'x', { kind: 'salesforce' }), 'rest')).toBe('fail');
  });

  it('stop new work once the run used its share of the API quota', async () => {
    const hooks = buildReadHooks(connected.client, { ...base, quotaPercentPerRun: 0.0001 }, () => undefined);
    await connected.client.json('limits');
    await expect(hooks.checkQuota()).rejects.toMatchObject({ code: 'TAP_QUOTA_REACHED' });
  });
});
