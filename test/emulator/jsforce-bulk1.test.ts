import { Connection } from 'jsforce';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';

// jsforce's Bulk API 1.0 client, unchanged, against the emulator: XML job, CSV batch, result list.
const VERSION = '62.0';
let em: Emulator;
let conn: Connection;

beforeAll(async () => {
  em = await startEmulator({ records: 20_000, seed: 21, settings: { bulkJobDelayMs: 50 } });
  conn = new Connection({
    oauth2: { clientId: em.credentials.clientId, clientSecret: em.credentials.clientSecret, loginUrl: em.loginUrl },
    loginUrl: em.loginUrl,
    version: VERSION,
  });
  await conn.login(em.credentials.username, em.credentials.password + em.credentials.securityToken);
  conn.bulk.pollInterval = 50;
});
afterAll(async () => {
  await em.close();
});

function collect(stream: NodeJS.EventEmitter): Promise<Record<string, unknown>[]> {
  const records: Record<string, unknown>[] = [];
  return new Promise((resolve, reject) => {
    stream.on('record', (r: Record<string, unknown>) => records.push(r));
    stream.on('end', () => resolve(records));
    stream.on('error', reject);
  });
}

describe('jsforce Bulk API 1.0 against the emulator', () => {
  it('reads the same rows with bulk.query as with bulk2.query', async () => {
    const soql = 'SELECT Id, Name, NumberOfEmployees, CreatedDate FROM Account';
    const v1 = await collect(await conn.bulk.query(soql));
    const v2 = await conn.bulk2.query(soql);
    const v2rows = await collect(v2);
    expect(v1).toHaveLength([...em.org.prepareQuery(soql, { includeDeleted: false }).rows()].length);
    expect(v1).toEqual(v2rows);
    // The whole Bulk 1.0 exchange went through the async API with the session header.
    expect(em.journal.count({ route: 'bulk1.createJob', status: 201 })).toBe(1);
    expect(em.journal.count({ route: 'bulk1.addBatch', status: 201 })).toBe(1);
    expect(em.journal.count({ route: 'bulk1.result', status: 200 })).toBe(1);
    expect(em.journal.count({ route: 'bulk1.updateJob', status: 200 })).toBe(1);
    expect(em.journal.entries({ route: 'bulk1.createJob' })[0]!.headers['x-sfdc-session']).toBeUndefined();
  });

  it('renews the session after InvalidSessionId and goes on', async () => {
    em.faults.add({ route: 'bulk1.createJob', action: 'session-expired' });
    const before = em.journal.count({ route: 'oauth.token' });
    const rows = await collect(await conn.bulk.query('SELECT Id FROM Contact'));
    expect(rows.length).toBe([...em.org.prepareQuery('SELECT Id FROM Contact', { includeDeleted: false }).rows()].length);
    expect(em.journal.count({ route: 'oauth.token' }) - before).toBe(1);
  });
});
