import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { httpRequest, login, type RawResponse, type RequestOptions } from './http-client.js';

let em: Emulator;
let token: string;
const A = '/services/async/62.0';
const SOQL = 'SELECT Id, Name, CreatedDate, Owner.Name, NumberOfEmployees FROM Account';
const NS = 'http://www.force.com/2009/06/asyncapi/dataload';

beforeAll(async () => {
  em = await startEmulator({ records: 450, seed: 5 });
  token = await login(em);
});
afterAll(async () => {
  await em.close();
});
beforeEach(() => {
  Object.assign(em.settings, { bulkJobDelayMs: 0, bulk1ResultFileRows: 1_000_000, bulkNullRendering: 'empty' });
  em.faults.clear();
});

function bulk1(path: string, options: RequestOptions = {}): Promise<RawResponse> {
  return httpRequest(`${em.instanceUrl}${A}${path}`, { ...options, headers: { 'X-SFDC-Session': token, ...options.headers } });
}

/** The flat child elements of an XML document's root (enough for jobInfo, batchInfo, error). */
function xmlFields(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/<(\w+)>([^<]*)<\/\1>/g)) out[m[1]!] = m[2]!;
  return out;
}
const xmlNames = (text: string) => [...text.matchAll(/<(\w+)>[^<]*<\/\1>/g)].map((m) => m[1]);

function createXmlJob(operation = 'query', object = 'Account', headers: Record<string, string> = {}): Promise<RawResponse> {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<jobInfo xmlns="${NS}">\n  <operation>${operation}</operation>\n  <object>${object}</object>\n  <concurrencyMode>Parallel</concurrencyMode>\n  <contentType>CSV</contentType>\n</jobInfo>`;
  return bulk1('/job', { method: 'POST', headers: { 'Content-Type': 'application/xml; charset=UTF-8', ...headers }, body });
}

function addBatch(jobId: string, soql = SOQL): Promise<RawResponse> {
  return bulk1(`/job/${jobId}/batch`, { method: 'POST', headers: { 'Content-Type': 'text/csv; charset=UTF-8' }, body: soql });
}

function orgRows(query: string, includeDeleted = false) {
  return [...em.org.prepareQuery(query, { includeDeleted }).rows()];
}

async function batchRows(jobId: string, batchId: string): Promise<Record<string, string>[]> {
  const list = await bulk1(`/job/${jobId}/batch/${batchId}/result`);
  expect(list.status).toBe(200);
  const ids = [...list.text.matchAll(/<result>(\w+)<\/result>/g)].map((m) => m[1]!);
  const rows: Record<string, string>[] = [];
  for (const id of ids) {
    const res = await bulk1(`/job/${jobId}/batch/${batchId}/result/${id}`);
    expect(res.status).toBe(200);
    rows.push(...(parse(res.text, { columns: true }) as Record<string, string>[]));
  }
  return rows;
}

describe('Bulk API 1.0 query jobs', () => {
  it('creates a job from XML with the documented jobInfo elements, in order', async () => {
    const res = await createXmlJob();
    expect(res.status).toBe(201);
    expect(res.headers['content-type']).toBe('application/xml');
    expect(res.text.startsWith(`<?xml version="1.0" encoding="UTF-8"?><jobInfo\n   xmlns="${NS}">`)).toBe(true);
    expect(xmlNames(res.text)).toEqual(['id', 'operation', 'object', 'createdById', 'createdDate', 'systemModstamp', 'state', 'concurrencyMode', 'contentType',
      'numberBatchesQueued', 'numberBatchesInProgress', 'numberBatchesCompleted', 'numberBatchesFailed', 'numberBatchesTotal', 'numberRecordsProcessed',
      'numberRetries', 'apiVersion', 'numberRecordsFailed', 'totalProcessingTime', 'apiActiveProcessingTime', 'apexProcessingTime']);
    const job = xmlFields(res.text);
    expect(job).toMatchObject({ operation: 'query', object: 'Account', state: 'Open', concurrencyMode: 'Parallel', contentType: 'CSV', apiVersion: '62.0', createdById: em.org.userId });
    expect(job['id']).toMatch(/^750\w{15}$/);
    expect(job['createdDate']).toMatch(/T\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('creates a job from JSON and answers in JSON: keys alphabetical, +0000 dates, apiVersion a number', async () => {
    const res = await bulk1('/job', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ operation: 'queryAll', object: 'Contact', contentType: 'CSV' }) });
    expect(res.status).toBe(201);
    expect(res.text).toContain('"apiVersion":62.0');
    const job = res.json<Record<string, unknown>>();
    expect(Object.keys(job)).toEqual([...Object.keys(job)].sort());
    expect(job).toMatchObject({ operation: 'queryAll', object: 'Contact', state: 'Open', contentType: 'CSV', assignmentRuleId: null, externalIdFieldName: null, fastPathEnabled: false, numberBatchesTotal: 0 });
    expect(String(job['createdDate'])).toMatch(/\.\d{3}\+0000$/);
    // Job resources answer in the request's format; batch resources in the job's (CSV → XML).
    const info = await bulk1(`/job/${String(job['id'])}`, { headers: { 'Content-Type': 'application/json' } });
    expect(info.json<Record<string, unknown>>()['id']).toBe(job['id']);
    expect((await bulk1(`/job/${String(job['id'])}`)).headers['content-type']).toBe('application/xml');
  });

  it('runs a query batch Queued → InProgress → Completed and serves its rows as CSV', async () => {
    em.settings.bulkJobDelayMs = 1500;
    const jobId = xmlFields((await createXmlJob()).text)['id']!;
    const added = await addBatch(jobId);
    expect(added.status).toBe(201);
    expect(xmlNames(added.text)).toEqual(['id', 'jobId', 'state', 'createdDate', 'systemModstamp', 'numberRecordsProcessed', 'numberRecordsFailed', 'totalProcessingTime', 'apiActiveProcessingTime', 'apexProcessingTime']);
    const batch = xmlFields(added.text);
    expect(batch).toMatchObject({ jobId, state: 'Queued' });
    expect(batch['id']).toMatch(/^751\w{15}$/);
    const early = await bulk1(`/job/${jobId}/batch/${batch['id']}/result`);
    expect(early.status).toBe(400);
    expect(xmlFields(early.text)['exceptionCode']).toBe('InvalidBatch');
    const seen = new Set<string>();
    for (;;) {
      const info = xmlFields((await bulk1(`/job/${jobId}/batch/${batch['id']}`)).text);
      seen.add(info['state']!);
      if (info['state'] === 'Completed') {
        expect(Number(info['numberRecordsProcessed'])).toBe(orgRows(SOQL).length);
        break;
      }
      await new Promise((r) => setTimeout(r, 40));
    }
    expect(seen.has('InProgress')).toBe(true);
    const rows = await batchRows(jobId, batch['id']!);
    const expected = orgRows(SOQL);
    expect(rows.map((r) => r['Id'])).toEqual(expected.map((r) => r.id));
    expect(Object.keys(rows[0]!)).toEqual(['Id', 'Name', 'CreatedDate', 'Owner.Name', 'NumberOfEmployees']);
    expect(rows[0]!['CreatedDate']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const job = xmlFields((await bulk1(`/job/${jobId}`)).text);
    expect(job).toMatchObject({ numberBatchesCompleted: '1', numberBatchesTotal: '1', numberRecordsProcessed: String(expected.length) });
  });

  it('cuts big results into several result files, each with its header row', async () => {
    em.settings.bulk1ResultFileRows = 200;
    const jobId = xmlFields((await createXmlJob()).text)['id']!;
    const batchId = xmlFields((await addBatch(jobId)).text)['id']!;
    const list = await bulk1(`/job/${jobId}/batch/${batchId}/result`);
    expect(list.text).toMatch(new RegExp(`^<result-list xmlns="${NS}">(<result>752\\w{15}</result>){3}</result-list>$`));
    expect((await batchRows(jobId, batchId)).map((r) => r['Id'])).toEqual(orgRows(SOQL).map((r) => r.id));
  });

  it('writes "Records not found for this query" for a batch without rows', async () => {
    const jobId = xmlFields((await createXmlJob()).text)['id']!;
    const batchId = xmlFields((await addBatch(jobId, "SELECT Id FROM Account WHERE Name = 'no such account'")).text)['id']!;
    const list = await bulk1(`/job/${jobId}/batch/${batchId}/result`);
    const resultId = /<result>(\w+)<\/result>/.exec(list.text)![1]!;
    expect((await bulk1(`/job/${jobId}/batch/${batchId}/result/${resultId}`)).text).toBe('Records not found for this query');
  });

  it('fails a batch whose SOQL is wrong, with the reason in stateMessage', async () => {
    const jobId = xmlFields((await createXmlJob()).text)['id']!;
    const batchId = xmlFields((await addBatch(jobId, 'SELECT Id, NoSuchField__c FROM Account')).text)['id']!;
    const info = xmlFields((await bulk1(`/job/${jobId}/batch/${batchId}`)).text);
    expect(info['state']).toBe('Failed');
    expect(info['stateMessage']).toMatch(/^InvalidBatch : Failed to process query: INVALID_FIELD/);
  });

  it('closes and aborts jobs: batches caught by an abort end NotProcessed, closed jobs take no batch', async () => {
    const close = (id: string, state: string) => bulk1(`/job/${id}`, { method: 'POST', headers: { 'Content-Type': 'application/xml; charset=UTF-8' }, body: `<?xml version="1.0" encoding="UTF-8"?><jobInfo xmlns="${NS}"><state>${state}</state></jobInfo>` });
    const done = xmlFields((await createXmlJob()).text)['id']!;
    await addBatch(done);
    const closed = await close(done, 'Closed');
    expect(closed.status).toBe(200);
    expect(xmlFields(closed.text)['state']).toBe('Closed');
    const refused = await addBatch(done);
    expect(refused.status).toBe(400);
    expect(xmlFields(refused.text)['exceptionCode']).toBe('InvalidJobState');

    em.settings.bulkJobDelayMs = 60_000;
    const running = xmlFields((await createXmlJob()).text)['id']!;
    const batchId = xmlFields((await addBatch(running)).text)['id']!;
    const aborted = await close(running, 'Aborted');
    expect(xmlFields(aborted.text)['state']).toBe('Aborted');
    expect(xmlFields((await bulk1(`/job/${running}/batch/${batchId}`)).text)['state']).toBe('NotProcessed');
    expect(em.journal.count({ route: 'bulk1.updateJob', status: 200 })).toBe(2);
  });

  it('answers Salesforce-style errors: InvalidSessionId (400) in XML or JSON, InvalidJob, InvalidUrl', async () => {
    const noSession = await httpRequest(`${em.instanceUrl}${A}/job`, { method: 'POST', headers: { 'Content-Type': 'application/xml' }, body: '<jobInfo/>' });
    expect(noSession.status).toBe(400);
    expect(noSession.text).toBe(`<?xml version="1.0" encoding="UTF-8"?><error\n   xmlns="${NS}">\n <exceptionCode>InvalidSessionId</exceptionCode>\n <exceptionMessage>Invalid session id</exceptionMessage>\n</error>`);
    const bearerOnly = await httpRequest(`${em.instanceUrl}${A}/job/750000000000000AAA`, { headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });
    expect(bearerOnly.status).toBe(400);
    expect(bearerOnly.json()).toEqual({ exceptionCode: 'InvalidSessionId', exceptionMessage: 'Invalid session id' });
    const unknown = await bulk1('/job/750000000000000AAA');
    expect(unknown.status).toBe(400);
    expect(xmlFields(unknown.text)['exceptionCode']).toBe('InvalidJob');
    const badObject = await createXmlJob('query', 'NoSuchObject__c');
    expect(xmlFields(badObject.text)['exceptionCode']).toBe('InvalidJob');
    const badUrl = await bulk1('/jobs');
    expect(badUrl.status).toBe(404);
    expect(xmlFields(badUrl.text)['exceptionCode']).toBe('InvalidUrl');
  });

  it('expires the session on a fault and says so in its own error document', async () => {
    em.faults.add({ route: 'bulk1.getJob', action: 'session-expired' });
    const fresh = await login(em);
    const res = await httpRequest(`${em.instanceUrl}${A}/job/750000000000000AAA`, { headers: { 'X-SFDC-Session': fresh } });
    expect(res.status).toBe(400);
    expect(xmlFields(res.text)['exceptionCode']).toBe('InvalidSessionId');
    const after = await httpRequest(`${em.instanceUrl}${A}/job`, { method: 'POST', headers: { 'X-SFDC-Session': fresh, 'Content-Type': 'application/xml' }, body: '<jobInfo/>' });
    expect(xmlFields(after.text)['exceptionCode']).toBe('InvalidSessionId');
  });
});

describe('Bulk API 1.0 PK chunking', () => {
  async function chunkedJob(header: string, soql = 'SELECT Id, Name FROM Account', object = 'Account') {
    const jobId = xmlFields((await createXmlJob('queryAll', object, { 'Sforce-Enable-PKChunking': header })).text)['id']!;
    const added = xmlFields((await addBatch(jobId, soql)).text);
    expect(added['state']).toBe('Queued');
    const list = await bulk1(`/job/${jobId}/batch`);
    expect(list.status).toBe(200);
    const batches = [...list.text.matchAll(/<batchInfo>([\s\S]*?)<\/batchInfo>/g)].map((m) => xmlFields(m[1]!));
    return { jobId, original: added['id']!, batches };
  }

  it('splits the job into one batch per chunkSize Ids, the original batch NotProcessed', async () => {
    const { jobId, original, batches } = await chunkedJob('chunkSize=100');
    const total = em.org.rowCount('Account');
    expect(batches[0]).toMatchObject({ id: original, state: 'NotProcessed' });
    expect(batches.length - 1).toBe(Math.ceil(total / 100));
    expect(batches.slice(1).every((b) => b['state'] === 'Completed')).toBe(true);
    const rows: Record<string, string>[] = [];
    for (const b of batches.slice(1)) rows.push(...(await batchRows(jobId, b['id']!)));
    expect(rows.map((r) => r['Id'])).toEqual(orgRows('SELECT Id FROM Account', true).map((r) => r.id));
    const unprocessed = await bulk1(`/job/${jobId}/batch/${original}/result`);
    expect(xmlFields(unprocessed.text)['exceptionCode']).toBe('InvalidBatch');
    expect(em.usage.limits()['DailyBulkApiBatches']!.Remaining).toBeLessThanOrEqual(15_000 - batches.length);
  });

  it('keeps the query\'s own WHERE inside each chunk and starts from startRow', async () => {
    const start = orgRows('SELECT Id FROM Account ORDER BY Id')[120]!.id;
    const soql = "SELECT Id, Name FROM Account WHERE Name LIKE 'A%'";
    const { jobId, batches } = await chunkedJob(`TRUE; chunkSize=50; startRow=${start}`, soql);
    const rows: Record<string, string>[] = [];
    for (const b of batches.slice(1)) rows.push(...(await batchRows(jobId, b['id']!)));
    const expected = orgRows(soql, true).filter((r) => r.id >= start);
    expect(rows.map((r) => r['Id'])).toEqual(expected.map((r) => r.id));
  });

  it('does not chunk a query with ORDER BY, and refuses objects PK chunking does not support', async () => {
    const ordered = await chunkedJob('chunkSize=100', 'SELECT Id FROM Account ORDER BY Name');
    expect(ordered.batches).toHaveLength(1);
    expect(ordered.batches[0]!['state']).toBe('Completed');
    const refused = await chunkedJob('TRUE', 'SELECT Id FROM AccountHistory', 'AccountHistory');
    expect(refused.batches).toHaveLength(1);
    expect(refused.batches[0]!['state']).toBe('Failed');
    expect(refused.batches[0]!['stateMessage']).toMatch(/PK chunking is not supported for the entity AccountHistory/);
  });

  it('chunks a history object over its parent\'s Ids with parent=', async () => {
    const soql = 'SELECT Id, AccountId, Field FROM AccountHistory';
    const { jobId, batches } = await chunkedJob('chunkSize=100; parent=Account', soql, 'AccountHistory');
    expect(batches.length - 1).toBe(Math.ceil(em.org.rowCount('Account') / 100));
    const rows: Record<string, string>[] = [];
    for (const b of batches.slice(1)) rows.push(...(await batchRows(jobId, b['id']!)));
    // A history row belongs to its parent's chunk; rows without a parent are in none.
    expect(rows.map((r) => r['Id']).sort()).toEqual(orgRows(`${soql} WHERE AccountId != null`, true).map((r) => r.id).sort());
  });

  it('scans each chunk at the org\'s scan rate, later chunks waiting for a free slot', async () => {
    // One row a second: a 100-row chunk runs for 100 s, so nothing completes while the test looks.
    Object.assign(em.settings, { bulkScanRowsPerSec: 1, bulk1ParallelChunks: 2 });
    try {
      const { batches } = await chunkedJob('chunkSize=100');
      const chunks = batches.slice(1).map((b) => b['state']);
      expect(chunks.slice(0, 2).every((state) => state === 'InProgress')).toBe(true);
      expect(chunks.slice(2).every((state) => state === 'Queued')).toBe(true);
      expect(chunks.length).toBeGreaterThan(2);
    } finally {
      Object.assign(em.settings, { bulkScanRowsPerSec: 0, bulk1ParallelChunks: 10 });
    }
  });

  it('refuses a malformed PK chunking header at job creation', async () => {
    const res = await createXmlJob('query', 'Account', { 'Sforce-Enable-PKChunking': 'chunkSize=999999' });
    expect(res.status).toBe(400);
    expect(xmlFields(res.text)['exceptionCode']).toBe('InvalidJob');
  });
});
