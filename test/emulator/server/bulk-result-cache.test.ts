import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { api, login, type RawResponse } from './http-client.js';

const V = '/services/data/v62.0';
const SOQL = 'SELECT Id, Name, Description, BillingStreet, AnnualRevenue, CreatedDate, Owner.Name FROM Account';

let cached: Emulator;
let plain: Emulator;
const tokens = new Map<Emulator, string>();

beforeAll(async () => {
  // The same org twice: one keeps rendered pages, the other renders every time.
  cached = await startEmulator({ records: 5000, seed: 6, settings: { bulkJobDelayMs: 0, bulkResultCacheMb: 64, bulkResultPageRows: 2000 } });
  plain = await startEmulator({ records: 5000, seed: 6, settings: { bulkJobDelayMs: 0, bulkResultPageRows: 2000 } });
  for (const em of [cached, plain]) tokens.set(em, await login(em));
});
afterAll(async () => {
  await Promise.all([cached.close(), plain.close()]);
});

async function completedJob(em: Emulator, soql = SOQL): Promise<string> {
  const created = await api(em, tokens.get(em)!, `${V}/jobs/query`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ operation: 'query', query: soql }) });
  const { id } = created.json<{ id: string }>();
  await api(em, tokens.get(em)!, `${V}/jobs/query/${id}`);
  return id;
}

function results(em: Emulator, job: string, gzip: boolean, query = ''): Promise<RawResponse> {
  return api(em, tokens.get(em)!, `${V}/jobs/query/${job}/results${query}`, { headers: { 'Accept-Encoding': gzip ? 'gzip' : 'identity' } });
}

const cacheHits = (em: Emulator) => em.journal.entries({ route: 'bulk.results' }).filter((e) => e.cached).length;

describe('Bulk result cache', () => {
  it('serves the same query again from the cache, byte for byte what rendering gives, plain and gzipped', async () => {
    const reference = await completedJob(plain);
    const first = await completedJob(cached);
    // Another job, the same query spelled otherwise.
    const second = await completedJob(cached, SOQL.replace('SELECT', 'select').replace('Account', 'account').replaceAll(', ', ' ,  '));
    for (const gzip of [false, true]) {
      const expected = await results(plain, reference, gzip);
      const rendered = await results(cached, first, gzip);
      const again = await results(cached, second, gzip);
      const third = await results(cached, first, gzip);
      for (const res of [rendered, again, third]) {
        expect(res.status).toBe(200);
        expect(res.headers['content-encoding']).toBe(gzip ? 'gzip' : undefined);
        expect(res.headers['sforce-numberofrecords']).toBe(expected.headers['sforce-numberofrecords']);
        expect(res.raw.equals(expected.raw), `gzip=${gzip}`).toBe(true);
      }
    }
    // The CSV rendered once, gzipped once; every other reply came from the cache.
    expect(cacheHits(cached)).toBe(5);
  });

  it('keys pages by range: resultPages partitions and maxRecords pages are cached apart', async () => {
    const job = await completedJob(cached);
    const reference = await completedJob(plain);
    const pages = (await api(cached, tokens.get(cached)!, `${V}/jobs/query/${job}/resultPages`)).json<{ resultPages: { resultUrl: string }[] }>().resultPages;
    expect(pages.length).toBeGreaterThan(1);
    const partition = new URL(pages[1]!.resultUrl, 'http://x').search;
    for (const query of ['?maxRecords=700', partition]) {
      const expected = await results(plain, reference, false, query);
      expect(expected.status).toBe(200);
      const before = cacheHits(cached);
      const first = await results(cached, job, false, query);
      const again = await results(cached, job, false, query);
      expect(first.raw.equals(expected.raw), query).toBe(true);
      expect(again.raw.equals(expected.raw), query).toBe(true);
      expect(again.headers['sforce-locator']).toBe(expected.headers['sforce-locator']);
      expect(cacheHits(cached) - before).toBe(1);
    }
  });

  it('renders again once the org changed, and what it renders matches an org without the cache', async () => {
    const before = await completedJob(cached);
    await results(cached, before, false);
    const [row] = [...cached.org.prepareQuery(`${SOQL} LIMIT 1`, { includeDeleted: false }).rows()];
    for (const em of [cached, plain]) em.mutate.update('Account', row!.id, { Name: 'Renamed, "after" the cache' });
    const hits = cacheHits(cached);
    const after = await results(cached, before, false);
    expect(cacheHits(cached)).toBe(hits);
    expect(after.text).toContain('"Renamed, ""after"" the cache"');
    const job = await completedJob(cached);
    const expected = await results(plain, await completedJob(plain), false);
    expect((await results(cached, job, false)).raw.equals(expected.raw)).toBe(true);
    expect((await results(cached, job, false)).raw.equals(expected.raw)).toBe(true);
  });

  it('keeps nothing when off, and nothing from a reply cut short', async () => {
    const job = await completedJob(plain);
    await results(plain, job, false);
    await results(plain, job, false);
    expect(cacheHits(plain)).toBe(0);
    cached.faults.add({ route: 'bulk.results', afterBytes: 1000, truncateMode: 'end' });
    const fresh = await completedJob(cached, `${SOQL} WHERE AnnualRevenue > 1000`);
    const cut = await results(cached, fresh, false);
    expect(cut.raw.length).toBe(1000);
    const hits = cacheHits(cached);
    const whole = await results(cached, fresh, false);
    expect(cacheHits(cached)).toBe(hits);
    expect(whole.raw.length).toBeGreaterThan(1000);
  });
});
