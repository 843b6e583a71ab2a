import { describe, expect, it } from 'vitest';
import type { FieldDefinition, SelectedStream, StreamDefinition } from '../../../src/catalog/types.js';
import { buildReadPlan, componentKey } from '../../../src/sync/read-plan.js';

function field(name: string, extra: Partial<FieldDefinition> = {}): FieldDefinition {
  return { name, sfType: 'string', valueKind: 'string', schema: {}, nullable: true, calculated: false, bulkSelectable: true, ...extra };
}

const addressParts = ['BillingStreet', 'BillingCity', 'BillingState', 'BillingPostalCode', 'BillingCountry', 'BillingLatitude', 'BillingLongitude', 'BillingGeocodeAccuracy'];
const definition: StreamDefinition = {
  name: 'Account', sobject: 'Account', custom: false, keyProperties: ['Id'], replicationKey: 'SystemModstamp',
  validReplicationKeys: ['SystemModstamp'], bulkSupported: true, hasIsDeleted: true, schema: {},
  fields: [
    field('Id', { sfType: 'id' }),
    field('BillingAddress', { sfType: 'address', valueKind: 'object', components: addressParts, bulkSelectable: false }),
    ...addressParts.map((n) => field(n, { compoundFieldName: 'BillingAddress', valueKind: n.endsWith('itude') ? 'number' : 'string' })),
    field('Logo', { sfType: 'base64', bulkSelectable: false }),
    field('SystemModstamp', { sfType: 'datetime', valueKind: 'datetime' }),
  ],
};

function select(fields: string[]): SelectedStream {
  return { definition, fields, method: 'INCREMENTAL', replicationKey: 'SystemModstamp' };
}

describe('buildReadPlan', () => {
  it('selects components instead of a compound and rebuilds it', () => {
    const plan = buildReadPlan(select(['Id', 'BillingAddress', 'SystemModstamp']));
    expect(plan.columns.map((c) => c.name)).toEqual(['Id', ...addressParts, 'SystemModstamp']);
    expect(plan.output[1]).toEqual({
      name: 'BillingAddress', compound: 'address',
      components: { street: 1, city: 2, state: 3, postalCode: 4, country: 5, latitude: 6, longitude: 7, geocodeAccuracy: 8 },
    });
    expect(plan.columns[6]).toEqual({ name: 'BillingLatitude', kind: 'number' });
  });

  it('selects a component once when it is also a column of its own', () => {
    const plan = buildReadPlan(select(['Id', 'BillingCity', 'BillingAddress']));
    expect(plan.columns.filter((c) => c.name === 'BillingCity')).toHaveLength(1);
    expect(plan.output[1]).toEqual({ name: 'BillingCity', column: 1 });
  });

  it('reports selected fields Bulk cannot return', () => {
    expect(buildReadPlan(select(['Id', 'Logo'])).bulkUnselectable).toEqual(['Logo']);
    expect(buildReadPlan(select(['Id', 'BillingAddress'])).bulkUnselectable).toEqual([]);
  });
});

describe('componentKey', () => {
  it('names address and geolocation components as Salesforce REST does', () => {
    expect(componentKey('ShippingAddress', 'ShippingPostalCode')).toBe('postalCode');
    expect(componentKey('MailingAddress', 'MailingGeocodeAccuracy')).toBe('geocodeAccuracy');
    expect(componentKey('Site__c', 'Site__Latitude__s')).toBe('latitude');
    expect(componentKey('Site__c', 'Site__Longitude__s')).toBe('longitude');
  });
});
