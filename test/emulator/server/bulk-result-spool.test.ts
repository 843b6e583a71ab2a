import { describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { createOrg } from '../../../emulator/org/org.js';
import { csvChunks, csvHeader, csvPage, ChunkPool, type CsvFormat } from '../../../emulator/server/bulk-csv.js';
import type { BulkJob } from '../../../emulator/server/bulk-jobs.js';
import { BulkResultSpool, type SpoolOptions } from '../../../emulator/server/bulk-result-spool.js';
import { api, login } from './http-client.js';

// Multi-byte names and multi-line text: rows fall across chunk boundaries.
const org = createOrg({ seed: 2, records: 6000 });
const query = org.prepareQuery('SELECT Id, Name, Description, BillingStreet, AnnualRevenue, CreatedDate FROM Account', { includeDeleted: true });
const total = query.totalSize();
const format: CsvFormat = { delimiter: ',', lineEnding: '\n', nulls: 'empty' };
const PART = 1000;

function job(id = 'job1', aborted = false): BulkJob {
  return { id, query, fate: { kind: 'complete' }, aborted } as BulkJob;
}

function spool(options: Partial<SpoolOptions> = {}): BulkResultSpool {
  return new BulkResultSpool({ maxBytes: () => 64 * 1_048_576, partRows: () => PART, revision: () => 0, live: () => true, ...options });
}

async function idle(s: BulkResultSpool): Promise<void> {
  while (s.busy) await new Promise((resolve) => setImmediate(resolve));
}

async function body(serve: () => AsyncGenerator<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of serve()) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

const rendered = (offset: number, count: number) => Buffer.concat([...csvPage(query, offset, count, format)]);
const header = csvHeader(query, format);

describe('Bulk result spool', () => {
  it('renders a job in the background and serves any range byte for byte as rendering it then would, freeing each part once sent', async () => {
    const s = spool();
    const j = job();
    s.add(j, format);
    await idle(s);
    expect(s.bytes).toBe(rendered(0, total).length - Buffer.byteLength(header));
    // A range inside part 0; part 0 to its end (then dropped); a range across parts 0 (rendered
    // again for the request) and 1; the rest in bigger pages.
    for (const [offset, count] of [[10, 20], [0, PART], [PART - 5, 12], [PART, 2 * PART], [3 * PART, total - 3 * PART]] as const) {
      const serve = s.serve(j, offset, count, format, header);
      expect(serve, `${offset}+${count}`).toBeDefined();
      expect((await body(serve!)).equals(rendered(offset, count)), `${offset}+${count}`).toBe(true);
    }
    // Every part was sent to its end: nothing is held.
    expect(s.bytes).toBe(0);
    expect(s.serve(j, 0, 10, format, header)).toBeUndefined();
  });

  it('makes a request for a part being rendered wait for it; a part not started is left to the request', async () => {
    // A slice renders one chunk: after the first, part 0 is rendering, parts 1 and 2 are pending.
    const s = spool({ partRows: () => 2000, sliceMs: 0 });
    const j = job();
    s.add(j, format);
    await new Promise((resolve) => setImmediate(resolve));
    expect(s.bytes).toBeGreaterThan(0);
    expect(s.bytes).toBeLessThan(rendered(0, 2000).length - Buffer.byteLength(header));
    const first = s.serve(j, 0, 2000, format, header);
    const both = s.serve(j, 3000, 2500, format, header);
    expect(first).toBeDefined();
    // Part 1 is pending: this request renders it; part 2 is not rendered by the spool either.
    expect(s.serve(j, 2000, 1000, format, header)).toBeUndefined();
    expect(both).toBeUndefined();
    expect((await body(first!)).equals(rendered(0, 2000))).toBe(true);
    await idle(s);
    expect(s.bytes).toBe(0);
  });

  it('serves nothing once the org changed or the CSV format differs, and drops what it holds', async () => {
    let revision = 0;
    const s = spool({ revision: () => revision });
    const j = job();
    s.add(j, format);
    await idle(s);
    expect(s.bytes).toBeGreaterThan(0);
    expect(s.serve(j, 0, 10, { ...format, nulls: 'quoted' }, header)).toBeUndefined();
    expect(s.bytes).toBe(0);

    const k = job('job2');
    s.add(k, format);
    await idle(s);
    revision = 1;
    expect(s.serve(k, 0, 10, format, header)).toBeUndefined();
    expect(s.bytes).toBe(0);
  });

  it('stops rendering at its size, and drops jobs that were deleted or aborted', async () => {
    const s = spool({ maxBytes: () => 1 });
    const j = job();
    s.add(j, format);
    await idle(s);
    // One part, then full: the next parts are rendered by their requests.
    expect(s.bytes).toBe(Buffer.concat([...csvChunks(query, 0, PART, format, new ChunkPool())]).length);
    expect(s.serve(j, PART, PART, format, header)).toBeUndefined();

    let live = true;
    const t = spool({ live: () => live });
    t.add(job('job3'), format);
    live = false;
    await idle(t);
    expect(t.bytes).toBe(0);
  });

  it('renders nothing when off, for jobs that will fail, or for empty results', async () => {
    const off = spool({ maxBytes: () => 0 });
    off.add(job(), format);
    const s = spool();
    s.add({ ...job('failing'), fate: { kind: 'fail', errorMessage: 'x' } }, format);
    s.add({ ...job('empty'), query: org.prepareQuery("SELECT Id FROM Account WHERE Name = 'none'", { includeDeleted: false }) }, format);
    await Promise.all([idle(off), idle(s)]);
    expect(off.bytes + s.bytes).toBe(0);
    expect(s.busy).toBe(false);
  });
});

describe('Bulk results over HTTP with the spool on', () => {
  it('are the bytes an emulator rendering at download time sends, plain and gzipped, and the journal says which were spooled', async () => {
    // The job runs long enough for its 6,000 rows to be rendered on a slow machine too.
    const settings = { bulkJobDelayMs: 1000, bulkResultPageRows: 1500 };
    const spooled = await startEmulator({ records: 6000, seed: 2, settings: { ...settings, bulkResultSpoolMb: 64 } });
    const plain = await startEmulator({ records: 6000, seed: 2, settings });
    try {
      const V = '/services/data/v62.0';
      const soql = 'SELECT Id, Name, Description, BillingStreet, AnnualRevenue, CreatedDate FROM Account';
      const bodies = new Map<Emulator, string[]>();
      for (const em of [spooled, plain]) {
        const token = await login(em);
        const job = (await api(em, token, `${V}/jobs/query`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ operation: 'query', query: soql }) })).json<{ id: string }>();
        while ((await api(em, token, `${V}/jobs/query/${job.id}`)).json<{ state: string }>().state !== 'JobComplete') await new Promise((r) => setTimeout(r, 50));
        const pages = (await api(em, token, `${V}/jobs/query/${job.id}/resultPages`)).json<{ resultPages: { resultUrl: string }[] }>().resultPages;
        expect(pages.length).toBe(4);
        const texts: string[] = [];
        // Two partitions gzipped, two plain; one of them read in two maxRecords pages.
        for (const [i, page] of pages.entries()) {
          const headers = { 'Accept-Encoding': i % 2 ? 'gzip' : 'identity' };
          if (i === 3) {
            const first = await api(em, token, `${page.resultUrl}&maxRecords=1000`, { headers });
            const next = String(first.headers['sforce-locator']);
            texts.push(first.text, (await api(em, token, `${V}/jobs/query/${job.id}/results?locator=${next}`, { headers })).text);
          } else {
            texts.push((await api(em, token, page.resultUrl, { headers })).text);
          }
        }
        bodies.set(em, texts);
      }
      expect(bodies.get(spooled)).toEqual(bodies.get(plain));
      const served = spooled.journal.entries({ route: 'bulk.results' });
      expect(served.filter((e) => e.spooled).length).toBe(5);
      expect(plain.journal.entries({ route: 'bulk.results' }).filter((e) => e.spooled).length).toBe(0);
    } finally {
      await Promise.all([spooled.close(), plain.close()]);
    }
  });
});
