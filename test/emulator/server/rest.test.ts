import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { api, httpRequest, login } from './http-client.js';

let em: Emulator;
let token: string;
const V = '/services/data/v62.0';

interface QueryPage {
  totalSize: number;
  done: boolean;
  nextRecordsUrl?: string;
  records: Record<string, unknown>[];
}

beforeAll(async () => {
  em = await startEmulator({ records: 450, seed: 11 });
  token = await login(em);
});
afterAll(async () => {
  await em.close();
});
beforeEach(() => {
  Object.assign(em.settings, { apiEnabled: true, limitsAccess: true, dailyApiLimit: 15_000, sessionTtlSeconds: 7200 });
});

const q = (soql: string) => `${V}/query?q=${encodeURIComponent(soql)}`;

describe('versions and sessions', () => {
  it('lists versions oldest first without auth, labelled by release', async () => {
    const res = await httpRequest(`${em.instanceUrl}/services/data/`);
    expect(res.status).toBe(200);
    const list = res.json<{ label: string; url: string; version: string }[]>();
    expect(list[0]).toEqual({ label: "Summer '14", url: '/services/data/v31.0', version: '31.0' });
    expect(list).toContainEqual({ label: "Summer '24", url: '/services/data/v61.0', version: '61.0' });
    expect(list).toContainEqual({ label: "Winter '25", url: '/services/data/v62.0', version: '62.0' });
    expect(res.headers['sforce-limit-info']).toBeUndefined();
  });

  it('answers 401 INVALID_SESSION_ID without a token, with an unknown one, and after expiry', async () => {
    const expected = [{ message: 'Session expired or invalid', errorCode: 'INVALID_SESSION_ID' }];
    const none = await httpRequest(`${em.instanceUrl}${V}/sobjects`);
    expect(none.status).toBe(401);
    expect(none.json()).toEqual(expected);
    expect((await api(em, 'bogus', `${V}/sobjects`)).json()).toEqual(expected);
    const mine = await login(em);
    expect((await api(em, mine, `${V}/limits`)).status).toBe(200);
    em.expireSessions();
    const expired = await api(em, mine, `${V}/limits`);
    expect(expired.status).toBe(401);
    expect(expired.json()).toEqual(expected);
    token = await login(em);
  });

  it('ends sessions idle longer than the session timeout', async () => {
    const mine = await login(em);
    em.settings.sessionTtlSeconds = 0;
    await new Promise((r) => setTimeout(r, 5));
    expect((await api(em, mine, `${V}/limits`)).status).toBe(401);
  });

  it('accepts the older "OAuth <token>" scheme', async () => {
    const res = await httpRequest(`${em.instanceUrl}${V}/limits`, { headers: { Authorization: `OAuth ${token}` } });
    expect(res.status).toBe(200);
  });

  it('serves data calls only on the instance host', async () => {
    const res = await httpRequest(`${em.loginUrl}${V}/sobjects`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(404);
  });

  it('answers 410 for retired versions and 404 NOT_FOUND for unknown resources and versions', async () => {
    expect((await api(em, token, '/services/data/v30.0/sobjects')).status).toBe(410);
    const unknown = await api(em, token, `${V}/nothing-here`);
    expect(unknown.status).toBe(404);
    expect(unknown.json()).toEqual([{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
    expect((await api(em, token, '/services/data/v99.0/sobjects')).status).toBe(404);
    expect((await api(em, token, `${V}/sobjects/NoSuchThing/describe`)).json()).toEqual([
      { message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' },
    ]);
  });

  it('answers 405 for a method the resource does not take', async () => {
    const res = await api(em, token, `${V}/limits`, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.json<{ errorCode: string }[]>()[0]!.errorCode).toBe('METHOD_NOT_ALLOWED');
  });

  it('answers 414 and 431 past 16,384 bytes of URL or headers', async () => {
    const long = await api(em, token, `${V}/query?q=${'x'.repeat(17_000)}`);
    expect(long.status).toBe(414);
    const big = await api(em, token, `${V}/limits`, { headers: { 'X-Padding': 'y'.repeat(17_000) } });
    expect(big.status).toBe(431);
  });

  it('answers 403 API_DISABLED_FOR_ORG when the API is off for the user', async () => {
    em.settings.apiEnabled = false;
    const res = await api(em, token, `${V}/sobjects`);
    expect(res.status).toBe(403);
    expect(res.json<{ errorCode: string }[]>()[0]!.errorCode).toBe('API_DISABLED_FOR_ORG');
  });
});

describe('limits', () => {
  it('counts every data call in Sforce-Limit-Info and /limits', async () => {
    const before = em.usage.apiRequests;
    const a = await api(em, token, `${V}/sobjects`);
    expect(a.headers['sforce-limit-info']).toBe(`api-usage=${before + 1}/15000`);
    const limits = await api(em, token, `${V}/limits`);
    expect(limits.headers['sforce-limit-info']).toBe(`api-usage=${before + 2}/15000`);
    const body = limits.json<Record<string, { Max: number; Remaining: number }>>();
    expect(body['DailyApiRequests']).toEqual({ Max: 15000, Remaining: 15000 - (before + 2) });
    expect(Object.keys(body)).toEqual([...Object.keys(body)].sort());
    expect(body['DailyBulkV2QueryJobs']!.Max).toBe(10000);
  });

  it('answers 403 REQUEST_LIMIT_EXCEEDED once the daily allocation is used up', async () => {
    em.settings.dailyApiLimit = em.usage.apiRequests + 1;
    expect((await api(em, token, `${V}/sobjects`)).status).toBe(200);
    const refused = await api(em, token, `${V}/sobjects`);
    expect(refused.status).toBe(403);
    expect(refused.json()).toEqual([{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
  });

  it('answers 403 INSUFFICIENT_ACCESS on /limits without View Setup', async () => {
    em.settings.limitsAccess = false;
    const res = await api(em, token, `${V}/limits`);
    expect(res.status).toBe(403);
    expect(res.json<{ errorCode: string }[]>()[0]!.errorCode).toBe('INSUFFICIENT_ACCESS');
  });
});

describe('describe', () => {
  it('serves describeGlobal and describe as the org defines them', async () => {
    const global = await api(em, token, `${V}/sobjects`);
    expect(global.json()).toEqual(em.org.describeGlobal('62.0'));
    const account = await api(em, token, `${V}/sobjects/account/describe`);
    expect(account.json()).toEqual(em.org.describe('Account', '62.0'));
  });

  it('answers 304 to If-Modified-Since at or after the schema change', async () => {
    const modified = em.settings.schemaLastModified;
    const fresh = await api(em, token, `${V}/sobjects/Account/describe`, { headers: { 'If-Modified-Since': modified.toUTCString() } });
    expect(fresh.status).toBe(304);
    expect(fresh.raw.length).toBe(0);
    const stale = await api(em, token, `${V}/sobjects/Account/describe`, {
      headers: { 'If-Modified-Since': new Date(modified.getTime() - 60_000).toUTCString() },
    });
    expect(stale.status).toBe(200);
  });

  it('gzips when the client accepts it', async () => {
    const res = await api(em, token, `${V}/sobjects/Account/describe`, { headers: { 'Accept-Encoding': 'gzip, deflate' } });
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(res.headers['vary']).toBe('Accept-Encoding');
    expect(JSON.parse(gunzipSync(res.raw).toString('utf8'))).toEqual(em.org.describe('Account', '62.0'));
    const plain = await api(em, token, `${V}/sobjects/Account/describe`);
    expect(plain.headers['content-encoding']).toBeUndefined();
  });
});

describe('query', () => {
  it('pages with 0r8 locators honouring Sforce-Query-Options batchSize', async () => {
    const soql = 'SELECT Id, Name FROM Account';
    const total = em.org.prepareQuery(soql, { includeDeleted: false }).totalSize();
    const first = await api(em, token, q(soql), { headers: { 'Sforce-Query-Options': 'batchSize=200' } });
    const page = first.json<QueryPage>();
    expect(page.totalSize).toBe(total);
    expect(page.done).toBe(false);
    expect(page.records).toHaveLength(200);
    expect(page.nextRecordsUrl).toMatch(/^\/services\/data\/v62\.0\/query\/0r8[A-Za-z0-9]{15}-200$/);
    const ids = page.records.map((r) => r['Id']);
    let next = page.nextRecordsUrl;
    let pages = 1;
    while (next) {
      const more = (await api(em, token, next)).json<QueryPage>();
      expect(more.totalSize).toBe(total);
      ids.push(...more.records.map((r) => r['Id']));
      next = more.nextRecordsUrl;
      pages++;
    }
    expect(pages).toBe(Math.ceil(total / 200));
    expect(ids).toEqual([...em.org.prepareQuery(soql, { includeDeleted: false }).rows()].map((r) => r.id));
  });

  it('clamps batchSize to 200..2000', async () => {
    const small = (await api(em, token, q('SELECT Id FROM Account'), { headers: { 'Sforce-Query-Options': 'batchSize=5' } })).json<QueryPage>();
    expect(small.records).toHaveLength(200);
  });

  it('renders REST JSON: attributes, nested parents, +0000 datetimes, compound objects', async () => {
    const soql = 'SELECT Id, Name, CreatedDate, BillingAddress, Owner.Name, Parent.Name FROM Account ORDER BY Id LIMIT 50';
    const page = (await api(em, token, q(soql))).json<QueryPage>();
    const rows = [...em.org.prepareQuery(soql, { includeDeleted: false }).rows()];
    expect(page.records).toHaveLength(rows.length);
    const rec = page.records[0]!;
    expect(Object.keys(rec)).toEqual(['attributes', 'Id', 'Name', 'CreatedDate', 'BillingAddress', 'Owner', 'Parent']);
    expect(rec['attributes']).toEqual({ type: 'Account', url: `${V}/sobjects/Account/${rows[0]!.id}` });
    expect(rec['CreatedDate']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000$/);
    const owner = rec['Owner'] as Record<string, unknown>;
    expect(owner['attributes']).toEqual({ type: 'User', url: `${V}/sobjects/User/${rows[0]!.parents['Owner']!.id}` });
    expect(owner['Name']).toBe(rows[0]!.values[4]);
    for (let i = 0; i < rows.length; i++) {
      const parent = rows[i]!.parents['Parent'];
      expect(page.records[i]!['Parent'] === null).toBe(parent === null);
    }
    const address = rec['BillingAddress'] as Record<string, unknown> | null;
    if (address) expect(Object.keys(address)).toEqual([...Object.keys(address)].sort());
  });

  it('renders a polymorphic parent as the Name entity with the record URL of its own object', async () => {
    const soql = "SELECT Id, Who.Name, What.Type FROM Task WHERE Who.Type = 'Lead' AND WhatId != null LIMIT 1";
    const [rec] = (await api(em, token, q(soql))).json<QueryPage>().records;
    const [row] = [...em.org.prepareQuery(soql, { includeDeleted: false }).rows()];
    expect(rec!['Who']).toEqual({ attributes: { type: 'Name', url: `${V}/sobjects/Lead/${row!.parents['Who']!.id}` }, Name: row!.values[1] });
    expect((rec!['What'] as Record<string, unknown>)['attributes']).toEqual({ type: 'Name', url: `${V}/sobjects/${String(row!.values[2])}/${row!.parents['What']!.id}` });
  });

  it('answers COUNT() with totalSize only', async () => {
    const page = (await api(em, token, q('SELECT COUNT() FROM Account'))).json<QueryPage>();
    expect(page).toEqual({ totalSize: em.org.prepareQuery('SELECT COUNT() FROM Account', { includeDeleted: false }).totalSize(), done: true, records: [] });
  });

  it('answers SOQL errors with 400 and the org error code', async () => {
    const bad = await api(em, token, q('SELECT Nope__c FROM Account'));
    expect(bad.status).toBe(400);
    expect(bad.json<{ errorCode: string }[]>()[0]!.errorCode).toBe('INVALID_FIELD');
    const type = await api(em, token, q('SELECT Id FROM NoSuchObject'));
    expect(type.json<{ errorCode: string }[]>()[0]!.errorCode).toBe('INVALID_TYPE');
    const malformed = await api(em, token, `${V}/query`);
    expect(malformed.json<{ errorCode: string }[]>()[0]!.errorCode).toBe('MALFORMED_QUERY');
  });

  it('answers INVALID_QUERY_LOCATOR for unknown locators', async () => {
    const res = await api(em, token, `${V}/query/0r8xxxxxxxxxxxxxxx-2000`);
    expect(res.status).toBe(400);
    expect(res.json()).toEqual([{ message: 'invalid query locator', errorCode: 'INVALID_QUERY_LOCATOR' }]);
  });
});

describe('records', () => {
  it('creates, reads, updates and deletes; queryAll and getDeleted see the deletion', async () => {
    const created = await api(em, token, `${V}/sobjects/Account`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ Name: 'Emulated Inc' }),
    });
    expect(created.status).toBe(201);
    const { id, success, errors } = created.json<{ id: string; success: boolean; errors: unknown[] }>();
    expect(success).toBe(true);
    expect(errors).toEqual([]);
    const read = (await api(em, token, `${V}/sobjects/Account/${id}`)).json<Record<string, unknown>>();
    expect(read['Name']).toBe('Emulated Inc');
    expect(read['attributes']).toEqual({ type: 'Account', url: `${V}/sobjects/Account/${id}` });
    expect(read['SystemModstamp']).toMatch(/\+0000$/);

    const patched = await api(em, token, `${V}/sobjects/Account/${id}`, { method: 'PATCH', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ Name: 'Renamed' }) });
    expect(patched.status).toBe(204);
    const partial = (await api(em, token, `${V}/sobjects/Account/${id}?fields=Name`)).json<Record<string, unknown>>();
    expect(partial).toEqual({ attributes: { type: 'Account', url: `${V}/sobjects/Account/${id}` }, Name: 'Renamed' });

    const start = new Date(Date.now() - 60_000).toISOString();
    expect((await api(em, token, `${V}/sobjects/Account/${id}`, { method: 'DELETE' })).status).toBe(204);
    const end = new Date(Date.now() + 60_000).toISOString();
    const soql = `SELECT Id FROM Account WHERE Id = '${id}'`;
    expect((await api(em, token, q(soql))).json<QueryPage>().totalSize).toBe(0);
    expect((await api(em, token, `${V}/queryAll?q=${encodeURIComponent(soql)}`)).json<QueryPage>().totalSize).toBe(1);
    const deleted = await api(em, token, `${V}/sobjects/Account/deleted/?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`);
    expect(deleted.status).toBe(200);
    expect(deleted.json<{ deletedRecords: { id: string }[] }>().deletedRecords.map((d) => d.id)).toContain(id);
    const updated = await api(em, token, `${V}/sobjects/Account/updated/?start=${encodeURIComponent(start)}&end=${encodeURIComponent(end)}`);
    expect(updated.status).toBe(200);
  });

  it('answers MALFORMED_ID and NOT_FOUND like Salesforce', async () => {
    const bad = await api(em, token, `${V}/sobjects/Account/001900K0001pPuOAAU`);
    expect(bad.status).toBeGreaterThanOrEqual(400);
    const missing = await api(em, token, `${V}/sobjects/Account/001000000000000AAA`);
    expect([400, 404]).toContain(missing.status);
  });

  it('serves base64 fields as blob URLs whose content is the bytes', async () => {
    const page = (await api(em, token, q('SELECT Id, VersionData FROM ContentVersion LIMIT 1'))).json<QueryPage>();
    const url = page.records[0]!['VersionData'] as string;
    expect(url).toBe(`${V}/sobjects/ContentVersion/${page.records[0]!['Id'] as string}/VersionData`);
    const blob = await api(em, token, url);
    expect(blob.status).toBe(200);
    const stored = em.org.getRecord('ContentVersion', page.records[0]!['Id'] as string)!['VersionData'] as string;
    expect(blob.raw.equals(Buffer.from(stored, 'base64'))).toBe(true);
  });
});

describe('composite batch', () => {
  const batch = (body: unknown) =>
    api(em, token, `${V}/composite/batch`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });

  it('runs subrequests in order, each counted against the limits', async () => {
    const before = em.usage.apiRequests;
    const res = await batch({
      batchRequests: [
        { method: 'GET', url: 'v62.0/sobjects/Account/describe' },
        { method: 'GET', url: 'v62.0/sobjects/Nope/describe' },
        { method: 'GET', url: `v62.0/query?q=${encodeURIComponent('SELECT COUNT() FROM Account')}` },
      ],
    });
    expect(res.status).toBe(200);
    const body = res.json<{ hasErrors: boolean; results: { statusCode: number; result: unknown }[] }>();
    expect(body.hasErrors).toBe(true);
    expect(body.results.map((r) => r.statusCode)).toEqual([200, 404, 200]);
    expect(body.results[0]!.result).toEqual(em.org.describe('Account', '62.0'));
    expect(body.results[1]!.result).toEqual([{ message: 'The requested resource does not exist', errorCode: 'NOT_FOUND' }]);
    expect(em.usage.apiRequests - before).toBe(3);
  });

  it('halts after the first error with 412 BATCH_PROCESSING_HALTED when asked', async () => {
    const res = await batch({
      haltOnError: true,
      batchRequests: [
        { method: 'GET', url: 'v62.0/sobjects/Nope/describe' },
        { method: 'GET', url: 'v62.0/sobjects/Account/describe' },
      ],
    });
    const body = res.json<{ results: { statusCode: number; result: { errorCode: string }[] }[] }>();
    expect(body.results[1]!.statusCode).toBe(412);
    expect(body.results[1]!.result[0]!.errorCode).toBe('BATCH_PROCESSING_HALTED');
  });

  it('refuses more than 25 subrequests and malformed bodies with a top-level 400', async () => {
    const many = Array.from({ length: 26 }, () => ({ method: 'GET', url: 'v62.0/limits' }));
    expect((await batch({ batchRequests: many })).status).toBe(400);
    expect((await batch({ batchRequests: many.slice(0, 25) })).status).toBe(200);
    expect((await batch({ nope: true })).status).toBe(400);
  });
});
