import { describe, expect, it } from 'vitest';
import { caseSafeSuffix, indexOfId, makeId } from '../../../emulator/org/ids.js';
import { createOrg } from '../../../emulator/org/org.js';
import { OrgError, type QueryRow } from '../../../emulator/org/types.js';

const org = createOrg({ seed: 3, records: 500 });
const rows = (soql: string, includeDeleted = false): QueryRow[] => [...org.prepareQuery(soql, { includeDeleted }).rows()];

function orgError(fn: () => unknown): OrgError {
  try {
    fn();
  } catch (error) {
    if (error instanceof OrgError) return error;
    throw error;
  }
  throw new Error('no error');
}

describe('ids', () => {
  it('are 18 characters with the case-safe suffix and encode their row', () => {
    const id = makeId('001', 123_456);
    expect(id).toHaveLength(18);
    expect(id.slice(15)).toBe(caseSafeSuffix(id.slice(0, 15)));
    expect(indexOfId('001', id)).toBe(123_456);
    expect(indexOfId('001', id.slice(0, 15))).toBe(123_456);
    expect(caseSafeSuffix('001A0000006Vm9r')).toBe('IAC');
  });
});

describe('describes', () => {
  it('serve the 57 field keys in alphabetical order, and every field type somewhere', () => {
    const types = new Set<string>();
    for (const entry of org.describeGlobal().sobjects) {
      const describe = org.describe(entry.name)!;
      for (const field of describe.fields) {
        const keys = Object.keys(field);
        expect(keys).toHaveLength(57);
        expect(keys).toEqual([...keys].sort());
        types.add(field.type);
      }
    }
    for (const t of ['id', 'reference', 'string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist', 'combobox', 'encryptedstring', 'boolean', 'int', 'long', 'double', 'currency', 'percent', 'date', 'datetime', 'time', 'base64', 'address', 'location', 'anyType', 'json']) {
      expect(types, t).toContain(t);
    }
    expect(org.describe('Wide_Object__c')!.fields.length).toBeGreaterThanOrEqual(800);
    expect(org.describe('account')!.name).toBe('Account');
    expect(org.describe('Invoice__c')!.fields.find((f) => f.name === 'Total__c')!.calculated).toBe(true);
  });
});

describe('generated data', () => {
  it('is the same for the same seed and differs for another', () => {
    const again = createOrg({ seed: 3, records: 500 });
    const other = createOrg({ seed: 4, records: 500 });
    const names = (o: typeof org) => [...o.prepareQuery('SELECT Name FROM Account LIMIT 20', { includeDeleted: true }).rows()].map((r) => r.values[0]);
    expect(names(again)).toEqual(names(org));
    expect(names(other)).not.toEqual(names(org));
  });

  it('keeps CreatedDate ≤ LastModifiedDate ≤ SystemModstamp and points lookups at rows that exist', () => {
    for (const r of rows('SELECT Id, CreatedDate, LastModifiedDate, SystemModstamp, AccountId, Account.Id FROM Contact LIMIT 300')) {
      const [, created, modified, stamp, accountId, parentId] = r.values as (string | null)[];
      expect(created! <= modified!).toBe(true);
      expect(modified! <= stamp!).toBe(true);
      if (accountId) expect(parentId).toBe(accountId);
    }
  });

  it('hides soft-deleted rows from query and shows them to queryAll', () => {
    const visible = rows('SELECT Id FROM Account').length;
    const all = rows('SELECT Id FROM Account', true).length;
    expect(all).toBe(500);
    expect(visible).toBeLessThan(all);
    expect(rows('SELECT Id FROM Account WHERE IsDeleted = true', true).length).toBe(all - visible);
  });
});

describe('sales and service objects', () => {
  const values = (soql: string) => rows(soql, true).map((r) => r.values);
  const ids = (sobject: string) => new Set(rows(`SELECT Id FROM ${sobject}`, true).map((r) => r.id));

  it('describe the standard fields with their Salesforce types', () => {
    const types = (name: string) => Object.fromEntries(org.describe(name)!.fields.map((f) => [f.name, f.type]));
    expect(types('Lead')).toMatchObject({ Company: 'string', Status: 'picklist', Email: 'email', Address: 'address', Latitude: 'double', GeocodeAccuracy: 'picklist', IsConverted: 'boolean', ConvertedAccountId: 'reference', SystemModstamp: 'datetime', IsDeleted: 'boolean', OwnerId: 'reference' });
    expect(types('OpportunityLineItem')).toMatchObject({ OpportunityId: 'reference', PricebookEntryId: 'reference', Product2Id: 'reference', Quantity: 'double', UnitPrice: 'currency', TotalPrice: 'currency', ServiceDate: 'date' });
    expect(types('Case')).toMatchObject({ CaseNumber: 'string', Status: 'picklist', Priority: 'picklist', Origin: 'picklist', Subject: 'string', Description: 'textarea', AccountId: 'reference', ContactId: 'reference', IsClosed: 'boolean', ClosedDate: 'datetime' });
    expect(types('Task')).toMatchObject({ Subject: 'combobox', ActivityDate: 'date', Status: 'picklist', Priority: 'picklist', WhoId: 'reference', WhatId: 'reference', IsClosed: 'boolean', ReminderDateTime: 'datetime' });
    expect(types('Campaign')).toMatchObject({ Name: 'string', Type: 'picklist', Status: 'picklist', StartDate: 'date', EndDate: 'date', BudgetedCost: 'currency', ActualCost: 'currency', ExpectedRevenue: 'currency', NumberOfLeads: 'int', IsActive: 'boolean', ParentId: 'reference' });
    expect(types('Product2')).toMatchObject({ Name: 'string', ProductCode: 'string', Description: 'textarea', IsActive: 'boolean', Family: 'picklist', QuantityUnitOfMeasure: 'picklist' });
    const caseNumber = org.describe('Case')!.fields.find((f) => f.name === 'CaseNumber')!;
    expect(caseNumber).toMatchObject({ autoNumber: true, nameField: true, createable: false });
    const who = org.describe('Task')!.fields.find((f) => f.name === 'WhoId')!;
    expect(who).toMatchObject({ referenceTo: ['Contact', 'Lead'], relationshipName: 'Who', polymorphicForeignKey: true });
    expect(org.describe('Lead')!.fields.filter((f) => f.compoundFieldName === 'Address').map((f) => f.name)).toEqual(['Street', 'City', 'State', 'PostalCode', 'Country', 'Latitude', 'Longitude', 'GeocodeAccuracy']);
  });

  it('scale with records like the other objects', () => {
    const small = createOrg({ seed: 3, records: 100 });
    for (const [name, per] of [['Lead', 1], ['OpportunityLineItem', 2], ['Case', 0.5], ['Task', 2]] as const) {
      expect(org.rowCount(name), name).toBe(500 * per);
      expect(small.rowCount(name), name).toBe(100 * per);
    }
    expect(org.rowCount('PricebookEntry')).toBe(org.rowCount('Product2'));
  });

  it('point every lookup at a row of the org, polymorphic ones included', () => {
    const checks: [string, string, string[]][] = [
      ['Lead', 'ConvertedAccountId', ['Account']], ['Lead', 'ConvertedContactId', ['Contact']], ['Lead', 'OwnerId', ['User']],
      ['OpportunityLineItem', 'OpportunityId', ['Opportunity']], ['OpportunityLineItem', 'PricebookEntryId', ['PricebookEntry']], ['OpportunityLineItem', 'Product2Id', ['Product2']],
      ['Case', 'AccountId', ['Account']], ['Case', 'ContactId', ['Contact']], ['Case', 'ParentId', ['Case']],
      ['Task', 'WhoId', ['Contact', 'Lead']], ['Task', 'WhatId', ['Account', 'Opportunity', 'Case', 'Campaign']], ['Campaign', 'ParentId', ['Campaign']],
      ['PricebookEntry', 'Product2Id', ['Product2']], ['PricebookEntry', 'Pricebook2Id', ['Pricebook2']],
    ];
    for (const [sobject, field, targets] of checks) {
      const known = new Set(targets.flatMap((t) => [...ids(t)]));
      const refs = values(`SELECT ${field} FROM ${sobject}`).map((v) => v[0]).filter((v): v is string => v !== null);
      expect(refs.length, `${sobject}.${field}`).toBeGreaterThan(0);
      for (const id of refs) expect(known.has(id), `${sobject}.${field} = ${id}`).toBe(true);
    }
    const whoTypes = new Set(values('SELECT Who.Type FROM Task WHERE WhoId != null').map((v) => v[0]));
    expect(whoTypes).toEqual(new Set(['Contact', 'Lead']));
  });

  it('keep dependent fields consistent: conversions, closed cases and tasks, line item prices', () => {
    for (const [status, converted, date, account, contact] of values('SELECT Status, IsConverted, ConvertedDate, ConvertedAccountId, ConvertedContactId FROM Lead')) {
      expect(status === 'Closed - Converted').toBe(converted);
      expect(date !== null && account !== null && contact !== null).toBe(converted);
    }
    for (const [status, closed, closedDate, created, stamp] of values('SELECT Status, IsClosed, ClosedDate, CreatedDate, SystemModstamp FROM Case')) {
      expect(status === 'Closed').toBe(closed);
      expect(closedDate !== null).toBe(closed);
      if (closedDate !== null) expect(created! <= closedDate! && closedDate! <= stamp!).toBe(true);
    }
    for (const [status, closed, completed, priority, high] of values('SELECT Status, IsClosed, CompletedDateTime, Priority, IsHighPriority FROM Task')) {
      expect(status === 'Completed').toBe(closed);
      expect(completed !== null).toBe(closed);
      expect(priority === 'High').toBe(high);
    }
    const products = new Map(values('SELECT Id, ProductCode, Name FROM Product2').map(([id, code, name]) => [id, { code, name }]));
    const prices = new Map(values('SELECT Product2Id, UnitPrice FROM PricebookEntry').map(([product, price]) => [product, price]));
    for (const [product, code, quantity, unit, total, list, name, opportunity] of values('SELECT Product2Id, ProductCode, Quantity, UnitPrice, TotalPrice, ListPrice, Name, Opportunity.Name FROM OpportunityLineItem')) {
      expect(code).toBe(products.get(product)!.code);
      expect(list).toBe(prices.get(product));
      expect(unit as number).toBeLessThanOrEqual(list as number);
      expect(total).toBeCloseTo((quantity as number) * (unit as number), 2);
      expect(name).toBe(`${opportunity as string} ${products.get(product)!.name as string}`);
    }
    for (const [start, end, leads, converted, opportunities, won] of values('SELECT StartDate, EndDate, NumberOfLeads, NumberOfConvertedLeads, NumberOfOpportunities, NumberOfWonOpportunities FROM Campaign')) {
      expect(start! < end!).toBe(true);
      expect(converted as number).toBeLessThanOrEqual(leads as number);
      expect(won as number).toBeLessThanOrEqual(opportunities as number);
    }
  });

  it('resolve polymorphic relationships through the Name entity', () => {
    const [row] = rows("SELECT Id, Who.Name, Who.Type, What.Name FROM Task WHERE Who.Type = 'Lead' AND What.Type = 'Case' LIMIT 1");
    expect(row!.values[2]).toBe('Lead');
    expect(row!.parents.Who).toMatchObject({ type: 'Name', sobject: 'Lead' });
    expect(row!.values[3]).toMatch(/^\d{8}$/);
    const lead = rows(`SELECT Name FROM Lead WHERE Id = '${row!.parents.Who!.id}'`)[0]!;
    expect(row!.values[1]).toBe(lead.values[0]);
    expect(rows('SELECT Owner.Name FROM Lead LIMIT 1')[0]!.parents.Owner).toMatchObject({ type: 'Name', sobject: 'User' });
    expect(orgError(() => org.prepareQuery('SELECT Who.Company FROM Task', { includeDeleted: false })).message).toMatch(/No such column 'Company' on entity 'Name'/);
    expect(orgError(() => org.prepareQuery('SELECT What.Owner.Name FROM Task', { includeDeleted: false })).errorCode).toBe('INVALID_FIELD');
  });
});

describe('SOQL', () => {
  it('filters with comparisons, LIKE, IN, NOT, AND/OR and parentheses', () => {
    const all = rows("SELECT Id, Rating, NumberOfEmployees FROM Account");
    const expected = all.filter((r) => (r.values[1] === 'Hot' || r.values[1] === 'Warm') && !((r.values[2] as number | null) !== null && (r.values[2] as number) < 1000)).length;
    expect(rows("SELECT Id FROM Account WHERE (Rating = 'hot' OR Rating IN ('Warm')) AND NOT NumberOfEmployees < 1000").length).toBe(expected);
    expect(rows("SELECT Name FROM Account WHERE Name LIKE 'acme%'").every((r) => String(r.values[0]).toLowerCase().startsWith('acme'))).toBe(true);
    expect(rows('SELECT Id FROM Account WHERE ParentId = null').length + rows('SELECT Id FROM Account WHERE ParentId != null').length).toBe(all.length);
  });

  it('prunes datetime ranges without changing the answer', () => {
    const soql = 'SELECT Id, SystemModstamp FROM Account WHERE SystemModstamp >= 2023-01-01T00:00:00Z AND SystemModstamp < 2024-01-01T00:00:00.000Z';
    const pruned = rows(soql).map((r) => r.id);
    const scanned = rows('SELECT Id, SystemModstamp FROM Account').filter((r) => (r.values[1] as string) >= '2023-01-01T00:00:00.000Z' && (r.values[1] as string) < '2024-01-01T00:00:00.000Z').map((r) => r.id);
    expect(pruned).toEqual(scanned);
    expect(pruned.length).toBeGreaterThan(0);
  });

  it('orders, limits and offsets', () => {
    const names = rows('SELECT Name FROM Account ORDER BY Name DESC LIMIT 5 OFFSET 2').map((r) => r.values[0] as string);
    const all = rows('SELECT Name FROM Account').map((r) => r.values[0] as string).sort().reverse();
    expect(names).toEqual(all.slice(2, 7));
    expect(org.prepareQuery('SELECT COUNT() FROM Account', { includeDeleted: false }).totalSize()).toBe(rows('SELECT Id FROM Account').length);
  });

  it('walks parent relationships and reports empty parents', () => {
    const [row] = rows('SELECT Id, Owner.Name, Parent.Name FROM Account WHERE ParentId = null LIMIT 1');
    expect(row!.parents.Parent).toBeNull();
    expect(row!.parents.Owner).toMatchObject({ type: 'User' });
    expect(typeof row!.values[1]).toBe('string');
  });

  it('answers errors with Salesforce codes and message style', () => {
    expect(orgError(() => org.prepareQuery('SELECT Id FROM Nope', { includeDeleted: false })).errorCode).toBe('INVALID_TYPE');
    const invalid = orgError(() => org.prepareQuery('SELECT Id, Bogus__c FROM Account', { includeDeleted: false }));
    expect(invalid.errorCode).toBe('INVALID_FIELD');
    expect(invalid.message).toMatch(/ERROR at Row:1:Column:12\nNo such column 'Bogus__c' on entity 'Account'/);
    expect(orgError(() => org.prepareQuery('SELECT FROM Account', { includeDeleted: false })).errorCode).toBe('MALFORMED_QUERY');
    expect(orgError(() => org.prepareQuery('SELECT Id, Nobody.Name FROM Account', { includeDeleted: false })).message).toMatch(/Didn't understand relationship 'Nobody'/);
  });
});

describe('mutations', () => {
  it('advance SystemModstamp and show in query, queryAll, getUpdated and getDeleted', () => {
    let clock = Date.parse('2026-03-01T00:00:00Z');
    const o = createOrg({ seed: 9, records: 50, now: () => clock });
    const { id } = o.create('Account', { Name: 'Created' });
    clock += 1000;
    const [first] = [...o.prepareQuery('SELECT Id FROM Account WHERE IsDeleted = false LIMIT 1', { includeDeleted: false }).rows()];
    o.update('Account', first!.id, { Name: 'Updated' });
    clock += 1000;
    o.delete('Account', id);
    expect(o.getRecord('Account', first!.id)!.SystemModstamp).toBe('2026-03-01T00:00:01.000Z');
    expect(o.getUpdated('Account', '2026-02-28T00:00:00Z', '2026-03-02T00:00:00Z').ids).toEqual([first!.id]);
    expect(o.getDeleted('Account', '2026-02-28T00:00:00Z', '2026-03-02T00:00:00Z').deletedRecords).toEqual([{ id, deletedDate: '2026-03-01T00:00:02.000+0000' }]);
    expect([...o.prepareQuery(`SELECT Id FROM Account WHERE Id = '${id}'`, { includeDeleted: false }).rows()]).toHaveLength(0);
    expect([...o.prepareQuery(`SELECT IsDeleted FROM Account WHERE Id = '${id}'`, { includeDeleted: true }).rows()][0]!.values[0]).toBe(true);
    expect(orgError(() => o.update('Account', id, { Name: 'x' })).errorCode).toBe('ENTITY_IS_DELETED');
    expect(orgError(() => o.create('Account', {})).errorCode).toBe('REQUIRED_FIELD_MISSING');
    expect(orgError(() => o.update('Account', first!.id, { Nope: 1 })).errorCode).toBe('INVALID_FIELD');
    expect(orgError(() => o.update('Account', first!.id, { SystemModstamp: 'x' })).errorCode).toBe('INVALID_FIELD_FOR_INSERT_UPDATE');
  });
});
