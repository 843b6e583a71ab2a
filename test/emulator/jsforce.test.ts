import { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';

// jsforce, unchanged, against the emulator: the same calls a real org would get.
const VERSION = '62.0';
let em: Emulator;
let conn: Connection;

beforeAll(async () => {
  em = await startEmulator({ records: 100_000, seed: 21, settings: { bulkJobDelayMs: 50 } });
  conn = new Connection({
    oauth2: { clientId: em.credentials.clientId, clientSecret: em.credentials.clientSecret, loginUrl: em.loginUrl },
    loginUrl: em.loginUrl,
    version: VERSION,
  });
  await conn.login(em.credentials.username, em.credentials.password + em.credentials.securityToken);
});
afterAll(async () => {
  await em.close();
});

describe('jsforce against the emulator', () => {
  it('logs in with the OAuth password flow', () => {
    expect(conn.instanceUrl).toBe(em.instanceUrl);
    expect(conn.accessToken?.startsWith(`${em.org.orgId.slice(0, 15)}!`)).toBe(true);
    expect(conn.userInfo?.id).toBe(em.org.userId);
    expect(em.journal.count({ route: 'oauth.token', grantType: 'password' })).toBe(1);
  });

  it('runs describeGlobal and describe', async () => {
    const global = await conn.describeGlobal();
    expect(global.sobjects.map((s) => s.name)).toEqual(em.org.describeGlobal(VERSION).sobjects.map((s) => s.name));
    const account = await conn.describe('Account');
    expect(account.fields.map((f) => f.name)).toEqual(em.org.describe('Account', VERSION)!.fields.map((f) => f.name));
    expect(conn.limitInfo?.apiUsage?.limit).toBe(em.settings.dailyApiLimit);
  });

  it('auto-fetches a REST query over three pages', async () => {
    const soql = 'SELECT Id, Name, CreatedDate FROM Account ORDER BY Id LIMIT 4500';
    const expected = [...em.org.prepareQuery(soql, { includeDeleted: false }).rows()];
    const records: Record<string, unknown>[] = [];
    const before = em.journal.count({ route: 'rest.queryMore' });
    await new Promise<void>((resolve, reject) => {
      conn
        .query(soql)
        .on('record', (r: Record<string, unknown>) => records.push(r))
        .on('end', () => resolve())
        .on('error', reject)
        .run({ autoFetch: true, maxFetch: 10_000 });
    });
    expect(em.journal.count({ route: 'rest.queryMore' }) - before).toBe(2);
    expect(records.map((r) => r['Id'])).toEqual(expected.map((r) => r.id));
    expect(records.map((r) => r['Name'])).toEqual(expected.map((r) => r.values[1]));
    expect(records.map((r) => r['CreatedDate'])).toEqual(expected.map((r) => String(r.values[2]).replace('Z', '+0000')));
  });

  it('reads 100k rows with bulk2.query', async () => {
    const soql = 'SELECT Id, Name, NumberOfEmployees FROM Account';
    const expected = [...em.org.prepareQuery(soql, { includeDeleted: false }).rows()];
    expect(expected.length).toBeGreaterThanOrEqual(95_000);
    const stream = await conn.bulk2.query(soql, { pollInterval: 50, pollTimeout: 60_000 });
    const records: Record<string, string>[] = [];
    await new Promise<void>((resolve, reject) => {
      stream.on('record', (r: Record<string, string>) => records.push(r));
      stream.on('end', () => resolve());
      stream.on('error', reject);
    });
    expect(records).toHaveLength(expected.length);
    for (let i = 0; i < expected.length; i++) {
      const row = expected[i]!;
      const rec = records[i]!;
      if (rec['Id'] !== row.id || rec['Name'] !== row.values[1] || rec['NumberOfEmployees'] !== (row.values[2] === null ? '' : String(row.values[2]))) {
        expect({ index: i, rec }).toEqual({ index: i, rec: { Id: row.id, Name: row.values[1], NumberOfEmployees: row.values[2] === null ? '' : String(row.values[2]) } });
      }
    }
  });
});
