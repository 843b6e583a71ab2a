import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { api, login } from './http-client.js';

let em: Emulator;
let token: string;
const V = '/services/data/v62.0';

beforeAll(async () => {
  em = await startEmulator({ records: 200, seed: 9, settings: { bulkJobDelayMs: 0 } });
  token = await login(em);
});
afterAll(async () => {
  await em.close();
});
beforeEach(async () => {
  em.faults.clear();
  em.journal.clear();
  Object.assign(em.settings, { latencyMs: 0, bandwidthBytesPerSec: 0 });
  token = await login(em);
});

async function completedJobId(): Promise<string> {
  const res = await api(em, token, `${V}/jobs/query`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ operation: 'query', query: 'SELECT Id, Name FROM Account' }),
  });
  return res.json<{ id: string }>().id;
}

describe('fault queue', () => {
  it('answers a given status and body for N matching requests, then serves normally', async () => {
    em.faults.add({ route: 'rest.describeGlobal', status: 503, body: [{ errorCode: 'SERVER_UNAVAILABLE', message: 'down' }], times: 2, label: 'outage' });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await api(em, token, `${V}/sobjects`)).status);
    expect(statuses).toEqual([503, 503, 200]);
    expect(em.faults.pending()).toHaveLength(0);
    expect(em.journal.entries({ route: 'rest.describeGlobal' }).map((e) => e.fault)).toEqual(['outage', 'outage', undefined]);
  });

  it('matches on method and path patterns', async () => {
    em.faults.add({ method: 'GET', path: /\/limits$/, status: 500 });
    expect((await api(em, token, `${V}/sobjects`)).status).toBe(200);
    expect((await api(em, token, `${V}/limits`)).status).toBe(500);
  });

  it('draws probabilities from the seed: same seed, same hits', async () => {
    const pattern = async (target: Emulator) => {
      const t = await login(target);
      target.faults.add({ route: 'rest.limits', status: 500, probability: 0.5, times: Infinity });
      const out: number[] = [];
      for (let i = 0; i < 16; i++) out.push((await api(target, t, `${V}/limits`)).status);
      return out;
    };
    const other = await startEmulator({ records: 10, seed: 9 });
    try {
      const a = await pattern(em);
      const b = await pattern(other);
      expect(a).toEqual(b);
      expect(a).toContain(500);
      expect(a).toContain(200);
    } finally {
      await other.close();
    }
  });

  it('expires the presented session with a 401', async () => {
    em.faults.add({ route: 'rest.query', action: 'session-expired' });
    const res = await api(em, token, `${V}/query?q=${encodeURIComponent('SELECT Id FROM Account LIMIT 1')}`);
    expect(res.status).toBe(401);
    expect(res.json()).toEqual([{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }]);
    expect((await api(em, token, `${V}/limits`)).status).toBe(401);
  });

  it('answers REQUEST_LIMIT_EXCEEDED on demand', async () => {
    em.faults.add({ route: 'bulk.create', action: 'request-limit' });
    const res = await api(em, token, `${V}/jobs/query`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(res.status).toBe(403);
    expect(res.json<{ errorCode: string }[]>()[0]!.errorCode).toBe('REQUEST_LIMIT_EXCEEDED');
  });

  it('drops the connection without a response', async () => {
    em.faults.add({ route: 'rest.limits', action: 'reset' });
    await expect(api(em, token, `${V}/limits`)).rejects.toThrow();
    expect((await api(em, token, `${V}/limits`)).status).toBe(200);
  });

  it('resets the socket after N body bytes of Bulk results', async () => {
    const jobId = await completedJobId();
    em.faults.add({ route: 'bulk.results', afterBytes: 100 });
    await expect(api(em, token, `${V}/jobs/query/${jobId}/results`)).rejects.toThrow();
    const whole = await api(em, token, `${V}/jobs/query/${jobId}/results`);
    expect(whole.status).toBe(200);
    const truncated = em.journal.entries({ route: 'bulk.results' })[0]!;
    expect(truncated.bytes).toBe(100);
    expect(truncated.fault).toBe('truncate');
  });

  it('ends a chunked body early: the client sees a clean but short response', async () => {
    const jobId = await completedJobId();
    em.faults.add({ route: 'bulk.results', afterBytes: 100, truncateMode: 'end' });
    const short = await api(em, token, `${V}/jobs/query/${jobId}/results`);
    expect(short.status).toBe(200);
    expect(short.raw.length).toBe(100);
    expect(short.headers['sforce-numberofrecords']).toBe(String(em.org.prepareQuery('SELECT Id FROM Account', { includeDeleted: false }).totalSize()));
  });

  it('delays, then serves normally', async () => {
    em.faults.add({ route: 'rest.limits', delayMs: 30 });
    expect((await api(em, token, `${V}/limits`)).status).toBe(200);
    expect(em.journal.entries({ route: 'rest.limits' })[0]!.fault).toBe('delay');
  });
});

describe('latency and bandwidth', () => {
  it('serves whole bodies under a per-connection bandwidth cap and added latency', async () => {
    const jobId = await completedJobId();
    const plain = await api(em, token, `${V}/jobs/query/${jobId}/results`);
    Object.assign(em.settings, { latencyMs: 5, bandwidthBytesPerSec: 200_000 });
    const capped = await api(em, token, `${V}/jobs/query/${jobId}/results`);
    expect(capped.text).toBe(plain.text);
  });
});

describe('journal', () => {
  it('records method, path, query, status, bytes and route, without secrets', async () => {
    em.journal.clear();
    const res = await api(em, token, `${V}/query?q=${encodeURIComponent('SELECT Id FROM Account LIMIT 3')}`);
    const [entry] = em.journal.entries({ route: 'rest.query' });
    expect(entry).toMatchObject({ method: 'GET', path: `${V}/query`, status: 200, host: 'instance', bytes: res.raw.length });
    expect(entry!.query['q']).toBe('SELECT Id FROM Account LIMIT 3');
    expect(entry!.headers['authorization']).toBeUndefined();
    expect(JSON.stringify(em.journal.entries())).not.toContain(token);
    expect(em.journal.count({ route: 'oauth.token', grantType: 'password' })).toBe(0);
    await login(em);
    expect(em.journal.count({ route: 'oauth.token', grantType: 'password' })).toBe(1);
    expect(em.journal.count({ route: /^rest\./ })).toBe(1);
  });
});
