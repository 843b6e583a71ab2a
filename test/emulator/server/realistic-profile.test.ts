/**
 * The realistic profile: Bulk query jobs take their start latency plus their rows at the scan
 * rate, a limited number at once; REST calls wait their latency; every call is counted as
 * Salesforce counts it. Time is read from the journal on a clock the test drives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { PROFILES } from '../../../emulator/server/profiles.js';
import { api, httpRequest, login } from './http-client.js';

const realistic = PROFILES.realistic;
let em: Emulator;
let token: string;
let now = Date.UTC(2026, 5, 1);
const V = '/services/data/v62.0';
const json = (body: unknown) => ({ method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

beforeAll(async () => {
  em = await startEmulator({ records: 3000, seed: 8, profile: 'realistic', clock: () => now });
  token = await login(em);
});
afterAll(async () => {
  await em.close();
});

const createJob = async (soql: string) => (await api(em, token, `${V}/jobs/query`, json({ operation: 'query', query: soql }))).json<{ id: string }>().id;
const stateOf = async (id: string) => (await api(em, token, `${V}/jobs/query/${id}`)).json<{ state: string; totalProcessingTime: number; numberRecordsProcessed: number }>();

describe('the realistic profile', () => {
  it('keeps the instant profile as the default', async () => {
    const plain = await startEmulator({ records: 5 });
    expect([plain.settings.bulkScanRowsPerSec, plain.settings.bulkConcurrentJobs, plain.settings.restCallLatencyMs, plain.settings.latencyMs]).toEqual([0, 0, 0, 0]);
    await plain.close();
    expect(em.settings).toMatchObject(realistic);
  });

  it('processes a job in its start latency plus its rows at the scan rate, later jobs waiting in UploadComplete for a free slot', async () => {
    const slots = realistic.bulkConcurrentJobs!;
    const start = realistic.bulkJobDelayMs!;
    const rate = realistic.bulkScanRowsPerSec!;
    const rows = em.org.prepareQuery('SELECT Id FROM Account', { includeDeleted: false }).totalSize();
    const duration = start + Math.ceil((rows * 1000) / rate);
    em.journal.clear();
    const t0 = now;
    const ids: string[] = [];
    for (let k = 0; k <= slots; k += 1) ids.push(await createJob('SELECT Id, Name FROM Account'));
    const last = ids[slots]!;

    now = t0 + start / 2;
    expect(await Promise.all(ids.map(async (id) => (await stateOf(id)).state))).toEqual([...Array<string>(slots).fill('InProgress'), 'UploadComplete']);
    now = t0 + duration - 1;
    expect((await stateOf(last)).state).toBe('UploadComplete');
    // The first jobs finish together; the waiting one starts in the slot the first frees.
    now = t0 + duration;
    const first = await stateOf(ids[0]!);
    expect(first).toMatchObject({ state: 'JobComplete', totalProcessingTime: duration, numberRecordsProcessed: rows });
    now = t0 + duration + start / 2 - 1;
    expect((await stateOf(last)).state).toBe('UploadComplete');
    now = t0 + duration + start / 2;
    expect((await stateOf(last)).state).toBe('InProgress');
    now = t0 + 2 * duration;
    expect(await stateOf(last)).toMatchObject({ state: 'JobComplete', totalProcessingTime: duration });

    // The journal tells the waiting job's story: queued, then processed for `duration`.
    const story = em.journal.entries({ route: 'bulk.get' }).filter((e) => e.job?.id === last).map((e) => e.job);
    expect(story.map((j) => j!.state)).toEqual(['UploadComplete', 'UploadComplete', 'UploadComplete', 'InProgress', 'JobComplete']);
    expect(story.at(-1)!.totalProcessingTime).toBe(duration);
  });

  it('counts every call as Salesforce does, on /limits and in the journal', async () => {
    em.journal.clear();
    const before = (await api(em, token, `${V}/limits`)).json<Record<string, { Max: number; Remaining: number }>>();
    const id = await createJob('SELECT Id FROM Contact');
    await stateOf(id);
    await api(em, token, `${V}/query?q=${encodeURIComponent('SELECT Id FROM Account LIMIT 5')}`);
    await api(em, token, `${V}/sobjects/Account/describe`);
    const batch = { batchRequests: [1, 2, 3].map(() => ({ method: 'GET', url: 'v62.0/sobjects/Account/describe' })) };
    await api(em, token, `${V}/composite/batch`, json(batch));
    em.settings.compositeBatchCountsAsOneCall = true;
    await api(em, token, `${V}/composite/batch`, json(batch));
    em.settings.compositeBatchCountsAsOneCall = false;
    const after = (await api(em, token, `${V}/limits`)).json<Record<string, { Max: number; Remaining: number }>>();

    const used = (key: string) => before[key]!.Remaining - after[key]!.Remaining;
    // limits, create, get, query, describe, 3 subrequests, 1 batch call; the second /limits counts itself before answering.
    expect(used('DailyApiRequests')).toBe(1 + 1 + 1 + 1 + 1 + 3 + 1 + 1 - 1);
    expect(used('DailyBulkV2QueryJobs')).toBe(1);
    expect(em.journal.usage()).toEqual({ apiCalls: 10, bulkJobs: 1 });
    expect(em.journal.entries({ route: 'rest.compositeBatch' }).map((e) => e.apiCalls)).toEqual([3, 1]);
    expect(em.journal.entries({ route: 'bulk.create' }).map((e) => [e.apiCalls, e.bulkJobs])).toEqual([[1, 1]]);
    // Login is not an API call.
    await login(em);
    expect(em.journal.usage().apiCalls).toBe(10);
  });

  it('makes REST calls wait their latency, Bulk calls not, and gzips results when asked', async () => {
    em.journal.clear();
    const id = await createJob('SELECT Id, Name FROM Account');
    now += 10 * 60_000;
    await stateOf(id);
    const results = await httpRequest(`${em.instanceUrl}${V}/jobs/query/${id}/results`, { headers: { Authorization: `Bearer ${token}`, 'Accept-Encoding': 'gzip' } });
    expect(results.status).toBe(200);
    expect(results.headers['content-encoding']).toBe('gzip');
    await api(em, token, `${V}/query?q=${encodeURIComponent('SELECT Id FROM Account LIMIT 1')}`);
    await api(em, token, `${V}/sobjects/Account/describe`);
    const latency = em.journal.entries().map((e) => [e.route, e.latencyMs]);
    expect(latency).toEqual([
      ['bulk.create', undefined], ['bulk.get', undefined], ['bulk.results', undefined],
      ['rest.query', realistic.restCallLatencyMs], ['rest.describe', realistic.restCallLatencyMs],
    ]);
  });
});
