import { describe, expect, it } from 'vitest';
import type { DescribeResult } from '../../../src/catalog/build-stream.js';
import { buildCustomQueryStreams } from '../../../src/catalog/custom-query.js';
import { ConfigError } from '../../../src/core/errors.js';
import { parseSoqlSelect, SoqlShapeError } from '../../../src/salesforce/soql-parse.js';

describe('parseSoqlSelect', () => {
  it('reads the field list, FROM object and WHERE condition', () => {
    expect(parseSoqlSelect("SELECT Id, Name ,Owner.Name FROM Opportunity WHERE StageName = 'Closed Won' AND (Amount > 10 OR IsWon = true)")).toEqual({
      fields: ['Id', 'Name', 'Owner.Name'],
      from: 'Opportunity',
      where: "StageName = 'Closed Won' AND (Amount > 10 OR IsWon = true)",
    });
    expect(parseSoqlSelect('select id from account')).toEqual({ fields: ['id'], from: 'account' });
  });

  it('keeps keywords inside string literals as part of the condition', () => {
    expect(parseSoqlSelect("SELECT Id FROM Case WHERE Subject = 'ORDER BY LIMIT 5' AND Description LIKE '%it\\'s%'").where).toBe("Subject = 'ORDER BY LIMIT 5' AND Description LIKE '%it\\'s%'");
  });

  it('keeps datetime literals and multi-line conditions whole', () => {
    expect(parseSoqlSelect('SELECT Id\nFROM Account\nWHERE CreatedDate >= 2024-01-01T00:00:00Z\n  AND Type IN (\'A\', \'B\')').where).toBe("CreatedDate >= 2024-01-01T00:00:00Z\n  AND Type IN ('A', 'B')");
  });

  it.each([
    ['SELECT Id FROM Account ORDER BY Name', /ORDER BY/],
    ['SELECT Id FROM Account WHERE Name != null LIMIT 10', /LIMIT/],
    ['SELECT Id FROM Account OFFSET 10', /OFFSET/],
    ['SELECT COUNT() FROM Account', /functions, aggregates/],
    ['SELECT Id, (SELECT Id FROM Contacts) FROM Account', /subqueries/],
    ['SELECT FIELDS(ALL) FROM Account', /FIELDS\(\)/],
    ['SELECT Name n FROM Account', /aliases/],
    ['SELECT Id, , Name FROM Account', /empty entry/],
    ['SELECT Id FROM Account GROUP BY Name', /GROUP BY/],
    ['SELECT Id FROM Account USING SCOPE Mine', /USING SCOPE/],
    ['SELECT Id FROM Account WHERE', /no condition/],
    ["SELECT Id FROM Account WHERE Name = 'x", /never closed/],
    ['SELECT Id FROM Account WHERE (Name = null', /unbalanced/],
    ['SELECT Id Account', /no FROM/],
    ['UPDATE Account', /start with SELECT/],
    ['SELECT Id FROM Account, Contact', /one object/],
    ['SELECT Id FROM Account Name', /unexpected `Name`/],
  ])('refuses %s with the reason', (query, reason) => {
    expect(() => parseSoqlSelect(query)).toThrow(SoqlShapeError);
    expect(() => parseSoqlSelect(query)).toThrow(reason);
  });
});

const field = (name: string, type: string, extra: Record<string, unknown> = {}) => ({ name, type, nillable: type !== 'id', ...extra });

const DESCRIBES: DescribeResult[] = [
  {
    name: 'Opportunity',
    fields: [
      field('Id', 'id'),
      field('Name', 'string'),
      field('Amount', 'currency'),
      field('IsDeleted', 'boolean'),
      field('SystemModstamp', 'datetime'),
      field('CloseDate', 'date'),
      field('AccountId', 'reference', { referenceTo: ['Account'], relationshipName: 'Account' }),
      field('OwnerId', 'reference', { referenceTo: ['User'], relationshipName: 'Owner' }),
    ],
  },
  {
    name: 'Account',
    fields: [
      field('Id', 'id'),
      field('Name', 'string'),
      field('NumberOfEmployees', 'int'),
      field('BillingAddress', 'address'),
      field('BillingCity', 'string', { compoundFieldName: 'BillingAddress' }),
      field('BillingStreet', 'string', { compoundFieldName: 'BillingAddress' }),
      field('OwnerId', 'reference', { referenceTo: ['User'], relationshipName: 'Owner' }),
      field('SystemModstamp', 'datetime'),
    ],
  },
  { name: 'User', fields: [field('Id', 'id'), field('Name', 'string'), field('Email', 'email'), field('IsActive', 'boolean')] },
  { name: 'Contact', fields: [field('Id', 'id'), field('LastName', 'string')] },
  { name: 'Lead', fields: [field('Id', 'id'), field('Company', 'string')] },
  {
    name: 'Task',
    fields: [field('Id', 'id'), field('Subject', 'string'), field('WhoId', 'reference', { referenceTo: ['Contact', 'Lead'], relationshipName: 'Who' }), field('LastModifiedDate', 'datetime')],
  },
];

function fakeDescribe() {
  const calls: string[][] = [];
  const describe = async (names: string[]) => {
    calls.push([...names].sort());
    return DESCRIBES.filter((d) => names.some((n) => n.toLowerCase() === d.name.toLowerCase()));
  };
  return { calls, describe };
}

async function errorOf(promise: Promise<unknown>): Promise<ConfigError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe('buildCustomQueryStreams', () => {
  it('types parent fields from the describes their path reaches, spelled as Salesforce spells them', async () => {
    const { describe, calls } = fakeDescribe();
    const [stream] = await buildCustomQueryStreams(
      [{ name: 'big_deals', query: 'SELECT name, amount, account.name, Account.owner.EMAIL, Owner.IsActive FROM opportunity WHERE Amount > 1000' }],
      describe,
    );
    expect(stream!.sobject).toBe('Opportunity');
    expect(stream!.filter).toBe('Amount > 1000');
    expect(stream!.fields.map((f) => f.name)).toEqual(['Name', 'Amount', 'Account.Name', 'Account.Owner.Email', 'Owner.IsActive', 'Id', 'SystemModstamp']);
    expect(stream!.schema.properties!['Amount']).toEqual({ type: ['null', 'number'] });
    expect(stream!.schema.properties!['Owner.IsActive']).toEqual({ type: ['null', 'boolean'] });
    expect(stream!.keyProperties).toEqual(['Id']);
    expect(stream!.replicationKey).toBe('SystemModstamp');
    // IsDeleted is not selected: deleted rows would arrive unmarked, so they are not read.
    expect(stream!.hasIsDeleted).toBe(false);
    // One describe round per relationship level, each object once.
    expect(calls).toEqual([['opportunity'], ['Account', 'User'].sort()]);
  });

  it('makes a parent Id nullable, selects compound components, and honours a configured key and cursor', async () => {
    const { describe } = fakeDescribe();
    const [stream] = await buildCustomQueryStreams(
      [{ name: 'accounts', query: 'SELECT Owner.Id, BillingAddress FROM Account', primaryKey: ['Id'], replicationKey: 'systemmodstamp' }],
      describe,
    );
    expect(stream!.schema.properties!['Owner.Id']).toEqual({ type: ['null', 'string'] });
    expect(stream!.fields.map((f) => f.name)).toEqual(['Owner.Id', 'BillingAddress', 'BillingCity', 'BillingStreet', 'Id', 'SystemModstamp']);
    expect(stream!.fields.find((f) => f.name === 'BillingAddress')!.components).toEqual(['BillingCity', 'BillingStreet']);
    expect(stream!.replicationKey).toBe('SystemModstamp');
  });

  it('resolves a polymorphic relationship through the Name entity, as SOQL does, and refuses other fields', async () => {
    const { describe, calls } = fakeDescribe();
    const [stream] = await buildCustomQueryStreams([{ name: 'tasks', query: 'SELECT Subject, Who.Name, Who.lastname, Who.Type FROM Task' }], describe);
    expect(stream!.fields.map((f) => f.name)).toEqual(['Subject', 'Who.Name', 'Who.LastName', 'Who.Type', 'Id', 'LastModifiedDate']);
    expect(stream!.replicationKey).toBe('LastModifiedDate');
    // Contact and Lead need no describe: the Name entity's fields are fixed.
    expect(calls).toEqual([['Task']]);
    const error = await errorOf(buildCustomQueryStreams([{ name: 'tasks', query: 'SELECT Who.Company FROM Task' }], describe));
    expect(error.code).toBe('TAP_CUSTOM_QUERY_UNKNOWN_FIELD');
    expect(error.message).toMatch(/`Who.Company`: Who is polymorphic, so only the Name entity's fields \(Id, Name, Type/);
  });

  it.each([
    ['SELECT Id, Nmae FROM Opportunity', 'TAP_CUSTOM_QUERY_UNKNOWN_FIELD', /Opportunity has no field `Nmae`/],
    ['SELECT Account.Nmae FROM Opportunity', 'TAP_CUSTOM_QUERY_UNKNOWN_FIELD', /Account has no field `Nmae`/],
    ['SELECT Acount.Name FROM Opportunity', 'TAP_CUSTOM_QUERY_UNKNOWN_FIELD', /no relationship `Acount`/],
    ['SELECT AccountId.Name FROM Opportunity', 'TAP_CUSTOM_QUERY_UNKNOWN_FIELD', /is a field, not a relationship/],
    ['SELECT Owner FROM Opportunity', 'TAP_CUSTOM_QUERY_UNKNOWN_FIELD', /`Owner` is a relationship/],
    ['SELECT Account.BillingAddress FROM Opportunity', 'TAP_CUSTOM_QUERY_UNKNOWN_FIELD', /select its components/],
    ['SELECT Id FROM Opportunty', 'TAP_CUSTOM_QUERY_UNKNOWN_OBJECT', /no queryable object `Opportunty`/],
    ['SELECT Id FROM Account LIMIT 5', 'TAP_CUSTOM_QUERY_INVALID', /LIMIT is not supported/],
  ])('refuses %s with %s', async (query, code, message) => {
    const { describe } = fakeDescribe();
    const error = await errorOf(buildCustomQueryStreams([{ name: 'q', query }], describe));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^custom_queries\[0\] \(q\): /);
    expect(error.message).toMatch(message);
  });

  it('refuses a replication key that is not a date of the FROM object and a name an object stream has', async () => {
    const { describe } = fakeDescribe();
    expect((await errorOf(buildCustomQueryStreams([{ name: 'q', query: 'SELECT Id FROM Opportunity', replicationKey: 'Name' }], describe))).code).toBe('TAP_CUSTOM_QUERY_BAD_REPLICATION_KEY');
    expect((await errorOf(buildCustomQueryStreams([{ name: 'account', query: 'SELECT Id FROM Opportunity' }], describe, ['Account']))).code).toBe('TAP_CUSTOM_QUERY_NAME_TAKEN');
  });
});
