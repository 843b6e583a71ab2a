import { parse } from 'csv-parse/sync';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { api, login, type RawResponse } from './http-client.js';

let em: Emulator;
let token: string;
const V = '/services/data/v62.0';
const SOQL = 'SELECT Id, Name, CreatedDate, ParentId, Owner.Name, NumberOfEmployees, Active__c FROM Account';

beforeAll(async () => {
  em = await startEmulator({ records: 450, seed: 5 });
  token = await login(em);
});
afterAll(async () => {
  await em.close();
});
beforeEach(() => {
  Object.assign(em.settings, { bulkJobDelayMs: 0, bulkNullRendering: 'empty', bulkResultPageRows: 50_000, bulkDefaultPageRows: 50_000 });
  em.faults.clear();
});

interface Job {
  id: string;
  state: string;
  numberRecordsProcessed?: number;
  errorMessage?: string;
  [key: string]: unknown;
}

function createJob(body: Record<string, unknown>, version = V): Promise<RawResponse> {
  return api(em, token, `${version}/jobs/query`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
}

async function completedJob(query = SOQL, extra: Record<string, unknown> = {}, version = V): Promise<Job> {
  const res = await createJob({ operation: 'query', query, ...extra }, version);
  expect(res.status).toBe(200);
  const job = res.json<Job>();
  const info = (await api(em, token, `${version}/jobs/query/${job.id}`)).json<Job>();
  expect(info.state).toBe('JobComplete');
  return info;
}

function orgRows(query = SOQL, includeDeleted = false) {
  return [...em.org.prepareQuery(query, { includeDeleted }).rows()];
}

const errorCode = (res: RawResponse) => res.json<{ errorCode: string }[]>()[0]!.errorCode;

describe('Bulk API 2.0 job lifecycle', () => {
  it('creates a job in UploadComplete with apiVersion as a number with one decimal', async () => {
    em.settings.bulkJobDelayMs = 60_000;
    const res = await createJob({ operation: 'query', query: SOQL });
    expect(res.status).toBe(200);
    expect(res.text).toContain('"apiVersion":62.0');
    const job = res.json<Job>();
    expect(Object.keys(job)).toEqual(['id', 'operation', 'object', 'createdById', 'createdDate', 'systemModstamp', 'state', 'concurrencyMode', 'contentType', 'apiVersion', 'lineEnding', 'columnDelimiter']);
    expect(job).toMatchObject({ operation: 'query', object: 'Account', state: 'UploadComplete', concurrencyMode: 'Parallel', contentType: 'CSV', lineEnding: 'LF', columnDelimiter: 'COMMA', createdById: em.org.userId });
    expect(job.id).toMatch(/^750\w{15}$/);
    expect(String(job['createdDate'])).toMatch(/\.\d{3}\+0000$/);
    const results = await api(em, token, `${V}/jobs/query/${job.id}/results`);
    expect(results.status).toBe(400);
    expect(errorCode(results)).toBe('INVALIDJOBSTATE');
  });

  it('goes UploadComplete → InProgress → JobComplete over the configured delay', async () => {
    // Wide enough that a loaded machine cannot poll past the InProgress half.
    em.settings.bulkJobDelayMs = 1500;
    const job = (await createJob({ operation: 'query', query: SOQL })).json<Job>();
    const seen = new Set<string>();
    for (;;) {
      const info = (await api(em, token, `${V}/jobs/query/${job.id}`)).json<Job>();
      seen.add(info.state);
      if (info.state === 'JobComplete') {
        expect(info.numberRecordsProcessed).toBe(orgRows().length);
        expect(info).toMatchObject({ jobType: 'V2Query', retries: 0, isPkChunkingSupported: true });
        break;
      }
      await new Promise((r) => setTimeout(r, 40));
    }
    expect(seen.has('InProgress')).toBe(true);
  });

  it('fails a job when a fault says so, and keeps one InProgress forever when told', async () => {
    em.faults.add({ action: 'job-failed', errorMessage: 'InvalidBatch : Failed to process query' });
    const failed = (await createJob({ operation: 'query', query: SOQL })).json<Job>();
    const info = (await api(em, token, `${V}/jobs/query/${failed.id}`)).json<Job>();
    expect(info.state).toBe('Failed');
    expect(info.errorMessage).toBe('InvalidBatch : Failed to process query');

    em.faults.add({ action: 'job-never-finishes' });
    const stuck = (await createJob({ operation: 'query', query: SOQL })).json<Job>();
    await new Promise((r) => setTimeout(r, 20));
    expect((await api(em, token, `${V}/jobs/query/${stuck.id}`)).json<Job>().state).toBe('InProgress');
  });

  it('aborts running jobs only, and deletes terminated jobs only', async () => {
    em.settings.bulkJobDelayMs = 60_000;
    const running = (await createJob({ operation: 'query', query: SOQL })).json<Job>();
    const notYet = await api(em, token, `${V}/jobs/query/${running.id}`, { method: 'DELETE' });
    expect(notYet.status).toBe(400);
    expect(notYet.json()).toEqual([{ message: 'Error encountered when deleting the job because the job is not terminated', errorCode: 'API_ERROR' }]);
    const aborted = await api(em, token, `${V}/jobs/query/${running.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"state":"Aborted"}' });
    expect(aborted.status).toBe(200);
    expect(aborted.json<Job>().state).toBe('Aborted');
    expect((await api(em, token, `${V}/jobs/query/${running.id}`, { method: 'DELETE' })).status).toBe(204);
    const gone = await api(em, token, `${V}/jobs/query/${running.id}`);
    expect(gone.status).toBe(404);
    expect(gone.json()).toEqual([{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
    expect(em.journal.count({ route: 'bulk.abort', status: 200 })).toBe(1);

    em.settings.bulkJobDelayMs = 0;
    const done = await completedJob();
    const refused = await api(em, token, `${V}/jobs/query/${done.id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: '{"state":"Aborted"}' });
    expect(refused.status).toBe(400);
    expect(refused.json()).toEqual([{ message: 'Aborting already Completed Job not allowed', errorCode: 'INVALIDJOBSTATE' }]);
  });

  it('lists jobs with the list quirk of an ingest nextRecordsUrl', async () => {
    const job = await completedJob();
    const list = (await api(em, token, `${V}/jobs/query`)).json<{ done: boolean; records: Job[]; nextRecordsUrl: string | null }>();
    expect(list.done).toBe(true);
    expect(list.records.map((j) => j.id)).toContain(job.id);
    expect(list.nextRecordsUrl).toBeNull();
  });
});

describe('Bulk job list paging', () => {
  it('pages 1,000 jobs at a time with a nextRecordsUrl under /jobs/ingest', async () => {
    const listed = (await api(em, token, `${V}/jobs/query`)).json<{ records: Job[] }>().records.length;
    for (let i = listed; i < 1001; i++) {
      expect((await createJob({ operation: 'query', query: 'SELECT Id FROM User LIMIT 1' })).status).toBe(200);
    }
    const first = (await api(em, token, `${V}/jobs/query?jobType=V2Query`)).json<{ done: boolean; records: Job[]; nextRecordsUrl: string }>();
    expect(first.done).toBe(false);
    expect(first.records).toHaveLength(1000);
    expect(first.nextRecordsUrl).toMatch(new RegExp(`^${V}/jobs/ingest\\?queryLocator=.+-1000$`));
    const second = (await api(em, token, first.nextRecordsUrl)).json<{ done: boolean; records: Job[] }>();
    expect(second.done).toBe(true);
    const ids = new Set([...first.records, ...second.records].map((j) => j.id));
    expect(ids.size).toBe(first.records.length + second.records.length);
    expect((await api(em, token, `${V}/jobs/query?jobType=Classic`)).json<{ records: Job[] }>().records).toEqual([]);
  });
});

describe('Bulk job creation errors', () => {
  it.each([
    ['a query that is not a string', { operation: 'query', query: 42 }],
    ['an unknown operation', { operation: 'upsert', query: SOQL }],
    ['an unknown delimiter', { operation: 'query', query: SOQL, columnDelimiter: 'DASH' }],
  ])('answers API_ERROR "Value does not match expected type" for %s', async (_, body) => {
    const res = await createJob(body);
    expect(res.status).toBe(400);
    const [error] = res.json<{ errorCode: string; message: string }[]>();
    expect(error!.errorCode).toBe('API_ERROR');
    expect(error!.message).toMatch(/^Value does not match expected type at \[line:1, column:\d+\]$/);
  });

  it('answers INVALIDENTITY for objects Bulk does not support', async () => {
    const res = await createJob({ operation: 'query', query: 'SELECT Id FROM AcceptedEventRelation' });
    expect(res.status).toBe(400);
    expect(res.json()).toEqual([{ message: "Entity 'AcceptedEventRelation' is not supported by the Bulk API.", errorCode: 'INVALIDENTITY' }]);
  });

  it('refuses compound and base64 fields', async () => {
    const compound = await createJob({ operation: 'query', query: 'SELECT Id, BillingAddress FROM Account' });
    expect(compound.json()).toEqual([{ message: 'Selecting compound data not supported in Bulk Query', errorCode: 'API_ERROR' }]);
    const blob = await createJob({ operation: 'query', query: 'SELECT Id, VersionData FROM ContentVersion' });
    expect(blob.status).toBe(400);
    expect(errorCode(blob)).toBe('API_ERROR');
  });

  it('answers SOQL errors at creation', async () => {
    const res = await createJob({ operation: 'query', query: 'SELECT Nope__c FROM Account' });
    expect(res.status).toBe(400);
    expect(errorCode(res)).toBe('INVALID_FIELD');
  });
});

describe('Bulk results', () => {
  it('pages with maxRecords and opaque locators, a header on every page, every value quoted, Z datetimes', async () => {
    const job = await completedJob();
    const expected = orgRows();
    const ids: string[] = [];
    let locator: string | undefined;
    let pages = 0;
    for (;;) {
      const url = `${V}/jobs/query/${job.id}/results?maxRecords=100${locator ? `&locator=${locator}` : ''}`;
      const res = await api(em, token, url, { headers: { Accept: 'text/csv' } });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/csv; charset=UTF-8');
      expect(res.text.startsWith('"Id","Name","CreatedDate","ParentId","Owner.Name","NumberOfEmployees","Active__c"\n')).toBe(true);
      expect(res.text.endsWith('\n')).toBe(true);
      const rows = parse(res.text, { columns: true }) as Record<string, string>[];
      expect(Number(res.headers['sforce-numberofrecords'])).toBe(rows.length);
      // Every value is quoted: with quoted fields removed only delimiters, line ends and empty nulls remain.
      expect(res.text.replace(/"(?:[^"]|"")*"/g, '')).toMatch(/^[,\n]*$/);
      for (const row of rows) expect(row['CreatedDate']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      ids.push(...rows.map((r) => r['Id']!));
      pages++;
      const next = String(res.headers['sforce-locator']);
      if (next === 'null') break;
      expect(next).toMatch(/^[A-Za-z0-9+/]+$/);
      locator = next;
    }
    expect(pages).toBe(Math.ceil(expected.length / 100));
    expect(ids).toEqual(expected.map((r) => r.id));
  });

  it('renders exactly the org values, and nulls as ,, or ,"", per the switch', async () => {
    const job = await completedJob();
    const rows = orgRows();
    const empty = (await api(em, token, `${V}/jobs/query/${job.id}/results`)).text;
    const parsed = parse(empty, { columns: true }) as Record<string, string>[];
    parsed.forEach((row, i) => {
      const values = rows[i]!.values;
      expect(row['Id']).toBe(rows[i]!.id);
      expect(row['Name']).toBe(values[1]);
      expect(row['ParentId']).toBe(values[3] ?? '');
      expect(row['NumberOfEmployees']).toBe(values[5] === null ? '' : String(values[5]));
      expect(row['Active__c']).toBe(String(values[6]));
    });
    // Id and ParentId hold no line breaks, so lines are rows here.
    const idJob = await completedJob('SELECT Id, ParentId FROM Account');
    const idRows = orgRows('SELECT Id, ParentId FROM Account');
    const nullRow = idRows.findIndex((r) => r.values[1] === null);
    expect(nullRow).toBeGreaterThanOrEqual(0);
    const emptyIds = (await api(em, token, `${V}/jobs/query/${idJob.id}/results`)).text.split('\n');
    expect(emptyIds[nullRow + 1]).toBe(`"${idRows[nullRow]!.id}",`);
    em.settings.bulkNullRendering = 'quoted';
    const quotedIds = (await api(em, token, `${V}/jobs/query/${idJob.id}/results`)).text.split('\n');
    expect(quotedIds[nullRow + 1]).toBe(`"${idRows[nullRow]!.id}",""`);
  });

  it('follows the job: CRLF line endings and PIPE delimiters', async () => {
    const job = await completedJob('SELECT Id, Name FROM Account', { lineEnding: 'CRLF', columnDelimiter: 'PIPE' });
    const text = (await api(em, token, `${V}/jobs/query/${job.id}/results?maxRecords=3`)).text;
    expect(text.startsWith('"Id"|"Name"\r\n')).toBe(true);
    expect(text.split('\r\n')).toHaveLength(5);
  });

  it('gzips results when asked', async () => {
    const job = await completedJob();
    const res = await api(em, token, `${V}/jobs/query/${job.id}/results?maxRecords=10`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(res.raw).toString('utf8').split('\n')[0]).toContain('"Id"');
  });

  it('answers 409 when results are asked for with another API version', async () => {
    const job = await completedJob();
    const res = await api(em, token, `/services/data/v63.0/jobs/query/${job.id}/results`);
    expect(res.status).toBe(409);
  });

  it('queryAll includes deleted rows', async () => {
    const victim = orgRows('SELECT Id FROM Account LIMIT 1')[0]!.id;
    em.mutate.delete('Account', victim);
    const soql = `SELECT Id, IsDeleted FROM Account WHERE Id = '${victim}'`;
    const live = await completedJob(soql);
    expect(live.numberRecordsProcessed).toBe(0);
    const all = await completedJob(soql, { operation: 'queryAll' });
    expect(all.numberRecordsProcessed).toBe(1);
    const text = (await api(em, token, `${V}/jobs/query/${all.id}/results`)).text;
    expect(text).toBe(`"Id","IsDeleted"\n"${victim}","true"\n`);
  });
});

describe('Bulk parallel result pages', () => {
  it('hands out at most five resultUrls per page and a lower-case resultpages nextRecordsUrl', async () => {
    em.settings.bulkResultPageRows = 50;
    const job = await completedJob();
    const expected = orgRows().map((r) => r.id);
    const urls: string[] = [];
    let next: string | undefined = `${V}/jobs/query/${job.id}/resultPages`;
    let responses = 0;
    while (next) {
      const res = await api(em, token, next, { headers: { Accept: 'application/json' } });
      expect(res.status).toBe(200);
      const body = res.json<{ resultPages: { resultUrl: string }[]; nextRecordsUrl?: string; done: boolean }>();
      expect(body.resultPages.length).toBeLessThanOrEqual(5);
      urls.push(...body.resultPages.map((p) => p.resultUrl));
      if (!body.done) expect(body.nextRecordsUrl).toMatch(new RegExp(`^${V}/jobs/query/${job.id}/resultpages\\?locator=`));
      next = body.done ? undefined : body.nextRecordsUrl;
      responses++;
    }
    expect(urls).toHaveLength(Math.ceil(expected.length / 50));
    expect(responses).toBe(Math.ceil(urls.length / 5));
    const pages = await Promise.all(
      urls.map(async (url) => {
        const ids: string[] = [];
        let page = url;
        for (;;) {
          const res = await api(em, token, `${page}&maxRecords=20`);
          ids.push(...(parse(res.text, { columns: true }) as Record<string, string>[]).map((r) => r['Id']!));
          const locator = String(res.headers['sforce-locator']);
          if (locator === 'null') break;
          page = `${V}/jobs/query/${job.id}/results?locator=${locator}`;
        }
        return ids;
      }),
    );
    expect(pages.flat()).toEqual(expected);
  });

  it('does not exist before API 62.0', async () => {
    const job = await completedJob(SOQL, {}, '/services/data/v61.0');
    expect((await api(em, token, `/services/data/v61.0/jobs/query/${job.id}/resultPages`)).status).toBe(404);
  });
});
