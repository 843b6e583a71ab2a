import { describe, expect, it } from 'vitest';
import { buildStreamDefinition, type DescribeField } from '../../../src/catalog/build-stream.js';
import { encodeAirbyteStreams, parseAirbyteCatalog } from '../../../src/protocol/airbyte/catalog.js';
import { encodeSingerCatalog } from '../../../src/protocol/singer/catalog.js';

const f = (name: string, type: string, extra: Partial<DescribeField> = {}): DescribeField => ({ name, type, ...extra });
const invoice = buildStreamDefinition({
  name: 'Invoice__c',
  replicateable: true,
  deletable: true,
  fields: [f('Id', 'id'), f('IsDeleted', 'boolean'), f('Amount__c', 'currency'), f('Total__c', 'currency', { calculated: true, calculatedFormula: 'Amount__c * (1 + Tax_Rate__c)' }), f('SystemModstamp', 'datetime')],
});

describe('discovery of formula fields and deletes', () => {
  it('marks formula fields with their formula text in the schema and the Singer metadata', () => {
    const total = invoice.fields.find((x) => x.name === 'Total__c')!;
    expect(total.formula).toBe('Amount__c * (1 + Tax_Rate__c)');
    expect(invoice.schema.properties!.Total__c!.description).toContain('Amount__c * (1 + Tax_Rate__c)');
    const meta = encodeSingerCatalog([invoice]).streams[0]!.metadata.find((m) => m.breadcrumb[1] === 'Total__c')!.metadata;
    expect(meta).toMatchObject({ 'tap-salesforce.calculated': true, 'tap-salesforce.formula': 'Amount__c * (1 + Tax_Rate__c)' });
    const plain = encodeSingerCatalog([invoice]).streams[0]!.metadata.find((m) => m.breadcrumb[1] === 'Amount__c')!.metadata;
    expect(plain['tap-salesforce.formula']).toBeUndefined();
    const airbyte = encodeAirbyteStreams([invoice])[0] as { json_schema: { properties: Record<string, { description?: string }> } };
    expect(airbyte.json_schema.properties.Total__c!.description).toContain('Amount__c * (1 + Tax_Rate__c)');
  });

  it('declares _ab_cdc_deleted_at on incremental Airbyte streams of objects getDeleted serves, and never selects it as a field', () => {
    const [stream] = encodeAirbyteStreams([invoice]) as { json_schema: { properties: Record<string, unknown> } }[];
    expect(stream!.json_schema.properties._ab_cdc_deleted_at).toMatchObject({ type: ['null', 'string'], format: 'date-time' });
    const notDeletable = buildStreamDefinition({ name: 'X', deletable: false, fields: [f('Id', 'id'), f('SystemModstamp', 'datetime')] });
    expect((encodeAirbyteStreams([notDeletable])[0] as { json_schema: { properties: Record<string, unknown> } }).json_schema.properties._ab_cdc_deleted_at).toBeUndefined();
    const choices = parseAirbyteCatalog({ streams: [{ stream, sync_mode: 'incremental' }] });
    expect(choices[0]!.fields).not.toContain('_ab_cdc_deleted_at');
    expect(choices[0]!.fields).toContain('Total__c');
  });
});
