import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { createOrg } from '../../../emulator/org/org.js';
import { OrgError } from '../../../emulator/org/types.js';
import { api, httpRequest, login } from '../server/http-client.js';

const DAY = 86_400_000;

function ids(org: ReturnType<typeof createOrg>, soql: string, includeDeleted: boolean): string[] {
  return [...org.prepareQuery(soql, { includeDeleted }).rows()].map((r) => r.id);
}

describe('hard deletes and the recycle bin', () => {
  it('hard-deleted and purged rows leave query and queryAll but stay listed by getDeleted', () => {
    let clock = Date.parse('2026-03-01T00:00:00Z');
    const org = createOrg({ seed: 3, records: 40, now: () => clock });
    const [soft, hard, purged] = ids(org, 'SELECT Id FROM Account WHERE IsDeleted = false ORDER BY Id LIMIT 3', false);
    org.delete('Account', soft!);
    org.delete('Account', purged!);
    clock += 1000;
    org.hardDelete('Account', [hard!]);
    const revision = org.revision();
    expect(org.emptyRecycleBin('Account', [purged!])).toBe(1);
    expect(org.revision()).toBeGreaterThan(revision);
    const all = ids(org, 'SELECT Id FROM Account', true);
    expect(all).toContain(soft);
    expect(all).not.toContain(hard);
    expect(all).not.toContain(purged);
    expect(() => org.getRecord('Account', hard!)).toThrow(OrgError);
    clock += 5 * 60_000;
    const listed = org.getDeleted('Account', '2026-02-28T00:00:00Z', new Date(clock).toISOString()).deletedRecords.map((r) => r.id);
    expect(listed.sort()).toEqual([soft!, hard!, purged!].sort());
    expect(org.emptyRecycleBin()).toBe(1);
    expect(ids(org, 'SELECT Id FROM Account', true)).not.toContain(soft);
  });

  it('getDeleted answers for the last 30 days in whole minutes', () => {
    let clock = Date.parse('2026-03-31T12:00:30Z');
    const org = createOrg({ seed: 3, records: 40, now: () => clock });
    const [id] = ids(org, 'SELECT Id FROM Account WHERE IsDeleted = false LIMIT 1', false);
    org.delete('Account', id!);
    const reply = org.getDeleted('Account', '2026-03-30T00:00:00Z', '2026-03-31T12:00:30Z');
    expect(reply.earliestDateAvailable).toBe('2026-03-01T12:00:00.000+0000');
    // The delete happened in the minute the range ends in: the next range, from latestDateCovered, lists it.
    expect(reply.latestDateCovered).toBe('2026-03-31T12:00:00.000+0000');
    expect(reply.deletedRecords).toEqual([]);
    clock += 60_000;
    expect(org.getDeleted('Account', reply.latestDateCovered, new Date(clock).toISOString()).deletedRecords.map((r) => r.id)).toEqual([id]);
    let error: unknown;
    try {
      org.getDeleted('Account', new Date(clock - 31 * DAY).toISOString(), new Date(clock).toISOString());
    } catch (e) {
      error = e;
    }
    expect((error as OrgError).errorCode).toBe('INVALID_REPLICATION_DATE');
  });
});

describe('formula fields', () => {
  it('follow their inputs on the row and across a lookup without moving SystemModstamp', () => {
    const org = createOrg({ seed: 3, records: 40 });
    const [invoice] = [...org.prepareQuery('SELECT Id, Account__c, Amount__c, Tax_Rate__c, Total__c, Account_Rating__c, SystemModstamp FROM Invoice__c WHERE Account__c != null LIMIT 1', { includeDeleted: false }).rows()];
    const [, accountId, amount, rate, total] = invoice!.values as [string, string, number, number, number];
    expect(total).toBeCloseTo(Math.round(amount * (1 + rate / 100) * 100) / 100, 2);
    org.update('Invoice__c', invoice!.id, { Amount__c: 100, Tax_Rate__c: 10 });
    expect(org.getRecord('Invoice__c', invoice!.id)!.Total__c).toBe(110);

    const before = org.getRecord('Invoice__c', invoice!.id)!;
    org.update('Account', accountId, { Rating: 'Cold' });
    const after = org.getRecord('Invoice__c', invoice!.id)!;
    expect(after.Account_Rating__c).toBe('Cold');
    expect(after.SystemModstamp).toBe(before.SystemModstamp);

    const [contact] = [...org.prepareQuery('SELECT Id, AccountId FROM Contact WHERE AccountId != null LIMIT 1', { includeDeleted: false }).rows()];
    org.update('Account', contact!.values[1] as string, { Name: 'Renamed Inc' });
    const label = [...org.prepareQuery(`SELECT Mailing_Label__c, FirstName, LastName FROM Contact WHERE Id = '${contact!.id}'`, { includeDeleted: false }).rows()][0]!.values;
    expect(label[0]).toBe(`${label[1] ?? ''} ${String(label[2])} (Renamed Inc)`);
    const describe = org.describe('Contact')!.fields.find((f) => f.name === 'Mailing_Label__c')!;
    expect(describe).toMatchObject({ calculated: true, calculatedFormula: "FirstName & ' ' & LastName & ' (' & Account.Name & ')'", updateable: false });
  });
});

describe('control routes', () => {
  let em: Emulator;
  let token: string;
  beforeAll(async () => {
    em = await startEmulator({ records: 40, seed: 5 });
    token = await login(em);
  });
  afterAll(async () => {
    await em.close();
  });

  it('hard-delete and empty the recycle bin from another process', async () => {
    const [a, b] = ids(em.org, 'SELECT Id FROM Contact WHERE IsDeleted = false ORDER BY Id LIMIT 2', false);
    const post = (path: string, body: unknown) => httpRequest(`${em.instanceUrl}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post('/_emulator/hard-delete', { sobject: 'Contact', ids: [a] })).json<{ purged: number }>()).toEqual({ purged: 1 });
    em.mutate.delete('Contact', b!);
    expect((await post('/_emulator/empty-recycle-bin', { sobject: 'Contact' })).json<{ purged: number }>()).toEqual({ purged: 1 });
    expect((await post('/_emulator/hard-delete', { sobject: 'Contact' })).status).toBe(400);
    const soql = `SELECT Id FROM Contact WHERE Id IN ('${a}', '${b}')`;
    const page = (await api(em, token, `/services/data/v62.0/queryAll?q=${encodeURIComponent(soql)}`)).json<{ totalSize: number }>();
    expect(page.totalSize).toBe(0);
  });
});
