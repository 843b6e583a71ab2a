/**
 * Requests that common clients (jsforce, simple-salesforce, the Python Singer tap, query tools)
 * send right after login, each answered in the shape Salesforce documents.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { api, httpRequest, passwordParams, postForm } from './http-client.js';

let em: Emulator;
let token: string;
let identityUrl: string;
const V = '/services/data/v66.0';
const q = (soql: string, extra = '') => `${V}/query?q=${encodeURIComponent(soql)}${extra}`;

beforeAll(async () => {
  em = await startEmulator({ records: 60, seed: 5, credentials: { username: 'dana.scully@fbi.example.com' } });
  const reply = await postForm(`${em.loginUrl}/services/oauth2/token`, passwordParams(em));
  const body = reply.json<{ access_token: string; id: string }>();
  token = body.access_token;
  identityUrl = body.id;
});
afterAll(async () => {
  await em.close();
});

type Json = Record<string, unknown>;

describe('who am I', () => {
  it('serves the OpenID userinfo document on the login host and on the instance', async () => {
    for (const host of [em.loginUrl, em.instanceUrl]) {
      const res = await httpRequest(`${host}/services/oauth2/userinfo`, { headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' } });
      expect(res.status).toBe(200);
      const info = res.json<Json>();
      expect(Object.keys(info)).toEqual(expect.arrayContaining([
        'sub', 'user_id', 'organization_id', 'preferred_username', 'nickname', 'name', 'email', 'email_verified', 'given_name',
        'family_name', 'zoneinfo', 'photos', 'profile', 'picture', 'address', 'urls', 'active', 'user_type', 'language', 'locale', 'utcOffset', 'updated_at',
      ]));
      expect(info['sub']).toBe(identityUrl);
      expect(info['user_id']).toBe(em.org.userId);
      expect(info['organization_id']).toMatch(/^00D[A-Za-z0-9]{15}$/);
      expect(info['preferred_username']).toBe('dana.scully@fbi.example.com');
      expect(info['email']).toBe('dana.scully@fbi.example.com');
      expect(info['name']).toBe('Dana Scully');
      expect((info['urls'] as Json)['rest']).toBe(`${em.instanceUrl}/services/data/v{version}/`);
      expect(info['updated_at']).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    }
  });

  it('serves the identity document at the URL the token reply names in id', async () => {
    expect(identityUrl).toBe(`${em.loginUrl}/id/${(await userinfo())['organization_id']}/${em.org.userId}`);
    const res = await httpRequest(`${identityUrl}?version=latest`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    const doc = res.json<Json>();
    expect(doc).toMatchObject({ id: identityUrl, asserted_user: true, user_id: em.org.userId, username: 'dana.scully@fbi.example.com', display_name: 'Dana Scully', first_name: 'Dana', last_name: 'Scully', active: true, user_type: 'STANDARD' });
    expect((doc['urls'] as Json)['query']).toBe(`${em.instanceUrl}/services/data/v66.0/query/`);
    // The token may also come as a parameter; an unknown token gets Salesforce's bare 403.
    expect((await httpRequest(`${identityUrl}?oauth_token=${encodeURIComponent(token)}`)).status).toBe(200);
    const refused = await httpRequest(`${em.loginUrl}/services/oauth2/userinfo`, { headers: { Authorization: 'Bearer 00Dnot!atoken' } });
    expect([refused.status, refused.text]).toEqual([403, 'Bad_OAuth_Token']);
  });

  it('makes the session user a User row whose Username is the login name', async () => {
    const info = await userinfo();
    const res = await api(em, token, q(`SELECT Id, Username, Name, Email FROM User WHERE Id = '${String(info['user_id'])}'`));
    const records = res.json<{ records: Json[] }>().records;
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ Id: info['user_id'], Username: info['preferred_username'], Email: info['email'], Name: info['name'] });
  });

  it('has one Organization row whose Id is the org id', async () => {
    const res = await api(em, token, q('SELECT Id, Name, InstanceName, IsSandbox, OrganizationType, NamespacePrefix, TrialExpirationDate FROM Organization'));
    expect(res.status).toBe(200);
    const body = res.json<{ totalSize: number; records: Json[] }>();
    expect(body.totalSize).toBe(1);
    expect(body.records[0]).toMatchObject({ Id: (await userinfo())['organization_id'], IsSandbox: false, OrganizationType: 'Enterprise Edition', NamespacePrefix: null, TrialExpirationDate: null });
    expect(body.records[0]!['InstanceName']).toMatch(/^[A-Z]+\d+$/);
    const created = await api(em, token, `${V}/sobjects/Organization`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"Name":"Second"}' });
    expect(created.status).toBe(400);
    expect(created.json<Json[]>()[0]!['errorCode']).toBe('INVALID_TYPE_FOR_OPERATION');
  });
});

describe('paths and queries as clients write them', () => {
  it('serves a path with a doubled slash, as sent by clients that keep a trailing slash on the instance URL', async () => {
    const res = await httpRequest(`${em.instanceUrl}/${q('SELECT Id FROM Account LIMIT 2')}`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(res.json<{ records: unknown[] }>().records).toHaveLength(2);
    expect((await httpRequest(`${em.instanceUrl}//services/data//v66.0//sobjects`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('answers columns=true with the column metadata of the query, relationships as join columns', async () => {
    const res = await api(em, token, q('SELECT Id, Name, AnnualRevenue, Owner.Name, Owner.Email FROM Account', '&columns=true'));
    expect(res.status).toBe(200);
    const body = res.json<Json>();
    expect(Object.keys(body).sort()).toEqual(['columnMetadata', 'entityName', 'groupBy', 'idSelected', 'keyPrefix']);
    expect(body).toMatchObject({ entityName: 'Account', groupBy: false, idSelected: true, keyPrefix: '001' });
    const columns = body['columnMetadata'] as Json[];
    expect(columns.map((c) => c['columnName'])).toEqual(['Id', 'Name', 'AnnualRevenue', 'Owner']);
    for (const c of columns) {
      expect(Object.keys(c).sort()).toEqual(['aggregate', 'apexType', 'booleanType', 'columnName', 'custom', 'displayName', 'foreignKeyName', 'insertable', 'joinColumns', 'numberType', 'textType', 'updatable']);
    }
    expect(columns[2]).toMatchObject({ apexType: 'Decimal', numberType: true, textType: false, insertable: true, updatable: true });
    const owner = columns[3]!;
    expect((owner['joinColumns'] as Json[]).map((c) => [c['columnName'], c['displayName'], c['apexType']])).toEqual([['Name', 'Owner.Name', 'String'], ['Email', 'Owner.Email', 'String']]);
  });

  it('accepts datetime literals with 1 to 9 fractional digits and Z or an offset', async () => {
    const count = async (literal: string) => {
      const res = await api(em, token, q(`SELECT COUNT() FROM Account WHERE SystemModstamp >= ${literal}`));
      expect(res.status, literal).toBe(200);
      return res.json<{ totalSize: number }>().totalSize;
    };
    const rows = (await api(em, token, q('SELECT SystemModstamp FROM Account ORDER BY SystemModstamp LIMIT 1 OFFSET 30'))).json<{ records: { SystemModstamp: string }[] }>().records;
    const at = new Date(rows[0]!.SystemModstamp.replace('+0000', 'Z'));
    const iso = at.toISOString();
    const expected = await count(iso);
    const base = iso.slice(0, 19);
    const ms = iso.slice(20, 23);
    expect(await count(`${base}.${ms}000Z`)).toBe(expected);
    expect(await count(`${base}.${ms}000000Z`)).toBe(expected);
    // A microsecond past the row's millisecond leaves it out; a lone tenth of a second is accepted.
    expect(await count(`${base}.${ms}001Z`)).toBe(expected - 1);
    expect(await count(`${base}.${ms.slice(0, 1)}Z`)).toBeGreaterThanOrEqual(expected);
    const plusTwo = new Date(at.getTime() + 2 * 3_600_000).toISOString().slice(0, 19);
    expect(await count(`${plusTwo}.${ms}000+02:00`)).toBe(expected);
  });
});

describe('metadata as real orgs list it', () => {
  it('lists /sobjects in name order', async () => {
    const names = (await api(em, token, `${V}/sobjects`)).json<{ sobjects: { name: string }[] }>().sobjects.map((s) => s.name);
    expect(names).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    expect(names).toContain('Organization');
  });

  it('names child relationships in Salesforce plural', async () => {
    const describe = (await api(em, token, `${V}/sobjects/Account/describe`)).json<{ childRelationships: { childSObject: string; field: string; relationshipName: string | null }[] }>();
    const byField = new Map(describe.childRelationships.map((c) => [`${c.childSObject}.${c.field}`, c.relationshipName]));
    expect(byField.get('Opportunity.AccountId')).toBe('Opportunities');
    expect(byField.get('Contact.AccountId')).toBe('Contacts');
    expect(byField.get('Account.ParentId')).toBe('ChildAccounts');
    expect(byField.get('AccountHistory.AccountId')).toBe('Histories');
    expect(byField.get('Invoice__c.Account__c')).toBe('Invoices__r');
    const named = describe.childRelationships.map((c) => c.relationshipName).filter((n): n is string => n !== null);
    expect(new Set(named).size).toBe(named.length);
    expect(named.some((n) => /ys(__r)?$/.test(n))).toBe(false);
  });

  it('serves /limits with every key a real org returns, each {Max, Remaining}', async () => {
    const limits = (await api(em, token, `${V}/limits`)).json<Record<string, { Max: number; Remaining: number }>>();
    expect(Object.keys(limits)).toEqual(expect.arrayContaining([
      'DailyApiRequests', 'DailyAsyncApexExecutions', 'DailyBulkApiBatches', 'DailyBulkV2QueryFileStorageMB', 'DailyBulkV2QueryJobs',
      'DailyDurableStreamingApiEvents', 'DailyStandardVolumePlatformEvents', 'DataStorageMB', 'FileStorageMB', 'HourlyODataCallout',
      'HourlyPublishedPlatformEvents', 'MassEmail', 'SingleEmail', 'StreamingApiConcurrentClients',
    ]));
    expect(Object.keys(limits).length).toBeGreaterThanOrEqual(50);
    for (const value of Object.values(limits)) expect(Object.keys(value).sort()).toEqual(['Max', 'Remaining']);
    expect(limits['DailyBulkV2QueryFileStorageMB']!.Max).toBe(976_562);
    expect(limits['DailyBulkApiBatches']!.Max).toBe(15_000);
  });

  it('serves /limits/recordCount: the objects asked for that it has, recycle bin and history objects left out', async () => {
    const reply = (await api(em, token, `${V}/limits/recordCount?sObjects=Account,NoSuchObject__c,AccountHistory,Contact`)).json<{ sObjects: { count: number; name: string }[] }>();
    const count = (sobject: string) => em.org.prepareQuery(`SELECT COUNT() FROM ${sobject}`, { includeDeleted: false }).totalSize();
    expect(reply.sObjects).toEqual([{ count: count('Account'), name: 'Account' }, { count: count('Contact'), name: 'Contact' }]);
    expect(count('Account')).toBeLessThan(em.org.prepareQuery('SELECT COUNT() FROM Account', { includeDeleted: true }).totalSize());
    const all = (await api(em, token, `${V}/limits/recordCount`)).json<{ sObjects: { name: string }[] }>();
    expect(all.sObjects.map((o) => o.name)).toEqual(expect.arrayContaining(['Account', 'Contact', 'Opportunity']));
    expect(all.sObjects.some((o) => /History$|ChangeEvent$/.test(o.name))).toBe(false);
  });

  it('advertises in the version resource only resources it serves', async () => {
    const resources = (await api(em, token, `${V}/`)).json<Record<string, string>>();
    expect(Object.keys(resources).sort()).toEqual(['composite', 'identity', 'jobs', 'limits', 'query', 'queryAll', 'sobjects']);
    for (const name of ['limits', 'sobjects']) expect((await api(em, token, resources[name]!)).status, name).toBe(200);
    expect((await api(em, token, `${resources['query']}?q=${encodeURIComponent('SELECT Id FROM Account LIMIT 1')}`)).status).toBe(200);
    expect((await httpRequest(resources['identity']!, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await api(em, token, `${resources['jobs']}/query`)).status).toBe(200);
  });
});

async function userinfo(): Promise<Json> {
  return (await httpRequest(`${em.loginUrl}/services/oauth2/userinfo`, { headers: { Authorization: `Bearer ${token}` } })).json<Json>();
}
