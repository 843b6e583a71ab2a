import { describe, expect, it } from 'vitest';
import { buildStreamDefinition, mapFieldType, skipReason, type DescribeField } from '../../../src/catalog/build-stream.js';
import { resolveSelection } from '../../../src/catalog/select.js';
import type { TapError } from '../../../src/core/errors.js';
import { parseAirbyteCatalog, encodeAirbyteStreams } from '../../../src/protocol/airbyte/catalog.js';
import { encodeSingerCatalog, parseSingerCatalog } from '../../../src/protocol/singer/catalog.js';
import { buildSelect, splitColumns } from '../../../src/salesforce/soql.js';

const f = (name: string, type: string, extra: Partial<DescribeField> = {}): DescribeField => ({ name, type, ...extra });

const account = buildStreamDefinition({
  name: 'Account',
  fields: [
    f('Id', 'id'), f('Name', 'string'), f('IsDeleted', 'boolean'), f('NumberOfEmployees', 'int'), f('AnnualRevenue', 'currency'),
    f('BillingCity', 'string', { compoundFieldName: 'BillingAddress' }), f('BillingLatitude', 'double', { compoundFieldName: 'BillingAddress' }),
    f('BillingAddress', 'address'), f('Total__c', 'currency', { calculated: true }), f('CreatedDate', 'datetime'), f('SystemModstamp', 'datetime'),
  ],
});

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as TapError).code;
  }
  return undefined;
}

describe('type mapping', () => {
  it('maps every Salesforce type to a nullable JSON Schema type and a value kind', () => {
    const cases: [string, unknown, string][] = [
      ['string', ['null', 'string'], 'string'], ['reference', ['null', 'string'], 'string'], ['picklist', ['null', 'string'], 'string'],
      ['multipicklist', ['null', 'string'], 'string'], ['textarea', ['null', 'string'], 'string'], ['email', ['null', 'string'], 'string'],
      ['phone', ['null', 'string'], 'string'], ['url', ['null', 'string'], 'string'], ['encryptedstring', ['null', 'string'], 'string'],
      ['combobox', ['null', 'string'], 'string'], ['boolean', ['null', 'boolean'], 'boolean'], ['int', ['null', 'integer'], 'integer'],
      ['long', ['null', 'integer'], 'integer'], ['double', ['null', 'number'], 'number'], ['currency', ['null', 'number'], 'number'],
      ['percent', ['null', 'number'], 'number'], ['date', ['null', 'string'], 'date'], ['datetime', ['null', 'string'], 'datetime'],
      ['time', ['null', 'string'], 'time'], ['base64', ['null', 'string'], 'string'], ['address', ['null', 'object'], 'object'],
      ['location', ['null', 'object'], 'object'], ['anyType', ['null', 'string'], 'string'], ['json', ['null', 'string'], 'string'],
      ['complexvalue', ['null', 'string'], 'string'],
    ];
    for (const [type, schemaType, kind] of cases) {
      const m = mapFieldType(type);
      expect(m.schema.type, type).toEqual(schemaType);
      expect(m.kind, type).toBe(kind);
      expect(m.unknown, type).toBe(false);
    }
    expect(mapFieldType('datetime').schema.format).toBe('date-time');
    expect(mapFieldType('date').schema.format).toBe('date');
    expect(mapFieldType('somethingnew')).toMatchObject({ kind: 'string', unknown: true });
  });

  it('keeps Id non-null, flags formulas and rebuilds compounds from their components', () => {
    expect(account.schema.properties!.Id).toEqual({ type: 'string' });
    expect(account.fields.find((x) => x.name === 'Total__c')!.calculated).toBe(true);
    const address = account.fields.find((x) => x.name === 'BillingAddress')!;
    expect(address.components).toEqual(['BillingCity', 'BillingLatitude']);
    expect(address.bulkSelectable).toBe(false);
  });
});

describe('stream rules', () => {
  it('picks SystemModstamp, else LastModifiedDate, else CreatedDate, else LoginTime, else full table', () => {
    expect(account.replicationKey).toBe('SystemModstamp');
    expect(buildStreamDefinition({ name: 'H', fields: [f('Id', 'id'), f('CreatedDate', 'datetime')] }).replicationKey).toBe('CreatedDate');
    expect(buildStreamDefinition({ name: 'L', fields: [f('Id', 'id'), f('LoginTime', 'datetime')] }).replicationKey).toBe('LoginTime');
    expect(buildStreamDefinition({ name: 'N', fields: [f('Id', 'id')] }).replicationKey).toBeUndefined();
    expect(buildStreamDefinition({ name: 'AcceptedEventRelation', fields: [f('Id', 'id')] }).bulkSupported).toBe(false);
  });

  it('skips what cannot be queried, with a reason', () => {
    expect(skipReason({ name: 'UriEventStream', queryable: false })).toBe('not queryable');
    expect(skipReason({ name: 'AccountChangeEvent' })).toMatch(/change event/);
    expect(skipReason({ name: 'Old__c', deprecatedAndHidden: true })).toMatch(/deprecated/);
    expect(skipReason({ name: 'Account' })).toBeUndefined();
  });
});

describe('Singer catalog', () => {
  const catalog = encodeSingerCatalog([account]);

  it('selects nothing by default and makes key and cursor automatic', () => {
    expect(parseSingerCatalog(catalog, { selectFieldsByDefault: true })).toEqual([]);
    const root = catalog.streams[0]!.metadata[0]!.metadata;
    expect(root).toMatchObject({ 'table-key-properties': ['Id'], 'replication-key': 'SystemModstamp', 'replication-method': 'INCREMENTAL' });
    expect(catalog.streams[0]!.metadata.find((m) => m.breadcrumb[1] === 'Id')!.metadata.inclusion).toBe('automatic');
  });

  it('follows Meltano select rules: deselected fields out, automatic ones always in, "true" strings accepted', () => {
    const edited = structuredClone(catalog);
    edited.streams[0]!.metadata[0]!.metadata.selected = 'true';
    for (const m of edited.streams[0]!.metadata.slice(1)) m.metadata.selected = m.breadcrumb[1] === 'Name';
    const [choice] = parseSingerCatalog(edited, { selectFieldsByDefault: true });
    const [selected] = resolveSelection([choice!], [account]);
    expect(selected!.fields).toEqual(['Id', 'Name', 'SystemModstamp']);
    expect(selected!.method).toBe('INCREMENTAL');
  });

  it('names unknown streams and fields', () => {
    expect(code(() => resolveSelection([{ name: 'Nope', method: 'FULL_TABLE' }], [account]))).toBe('TAP_CATALOG_UNKNOWN_STREAM');
    expect(code(() => resolveSelection([{ name: 'Account', fields: ['Ghost__c'], method: 'FULL_TABLE' }], [account]))).toBe('TAP_CATALOG_UNKNOWN_FIELD');
    expect(code(() => parseSingerCatalog({ nope: 1 }, { selectFieldsByDefault: true }))).toBe('TAP_CATALOG_INVALID');
  });
});

describe('Airbyte catalog', () => {
  it('advertises sync modes, cursor and key, and reads the user column choice', () => {
    const [stream] = encodeAirbyteStreams([account]);
    expect(stream).toMatchObject({ supported_sync_modes: ['full_refresh', 'incremental'], default_cursor_field: ['SystemModstamp'], source_defined_primary_key: [['Id']], source_defined_cursor: true });
    const choices = parseAirbyteCatalog({ streams: [{ stream: { ...stream, json_schema: { properties: { Name: {} } } }, sync_mode: 'incremental', destination_sync_mode: 'append' }] });
    expect(resolveSelection(choices, [account])[0]!.fields).toEqual(['Id', 'Name', 'SystemModstamp']);
  });

  it('rejects an unknown sync mode as a config error', () => {
    expect(code(() => parseAirbyteCatalog({ streams: [{ stream: { name: 'Account' }, sync_mode: 'INVALID' }] }))).toBe('TAP_CATALOG_INVALID');
  });
});

describe('SOQL', () => {
  it('ANDs the user condition with a half-open window in whole seconds', () => {
    expect(buildSelect({ sobject: 'Account', columns: ['Id', 'Name'], where: "Type = 'X'", window: { field: 'SystemModstamp', start: '2024-01-01T00:00:00.500Z', end: '2024-02-01T00:00:00.000Z' } }))
      .toBe("SELECT Id, Name FROM Account WHERE (Type = 'X') AND SystemModstamp >= 2024-01-01T00:00:00Z AND SystemModstamp < 2024-02-01T00:00:00Z");
  });

  it('splits wide column lists into parts under the limit, each with Id, every column once', () => {
    const columns = ['Id', ...Array.from({ length: 900 }, (_, i) => `Measurement_With_A_Long_Descriptive_Name_${i}__c`)];
    const parts = splitColumns({ sobject: 'Wide__c', columns }, 16_000, (s) => encodeURIComponent(s).length);
    expect(parts.length).toBeGreaterThan(2);
    for (const part of parts) {
      expect(part[0]).toBe('Id');
      expect(encodeURIComponent(buildSelect({ sobject: 'Wide__c', columns: part, orderBy: 'Id' })).length).toBeLessThanOrEqual(16_000);
    }
    expect(parts.flatMap((p) => p.slice(1)).sort()).toEqual(columns.slice(1).sort());
  });
});
