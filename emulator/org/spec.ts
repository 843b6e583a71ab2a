/**
 * How the emulated org's objects are declared: each field compactly, expanded into the full
 * describe shape by describe.ts. Builders for the fields most objects share.
 */

export interface FieldSpec {
  name: string;
  type: string;
  /** string length, or digits for int */
  length?: number;
  precision?: number;
  scale?: number;
  nillable?: boolean;
  referenceTo?: string[];
  relationshipName?: string;
  picklist?: string[];
  compoundFieldName?: string;
  calculatedFormula?: string;
  custom?: boolean;
  createable?: boolean;
  updateable?: boolean;
  externalId?: boolean;
  extraTypeInfo?: string;
  /** Auto-number fields (Case.CaseNumber): text the org assigns on insert. */
  autoNumber?: boolean;
  /** The record's name field when it is not called `Name` (Case.CaseNumber, Task.Subject). */
  nameField?: boolean;
}

export interface ObjectSpec {
  name: string;
  keyPrefix: string | null;
  label: string;
  /** Default: the label with an s. */
  labelPlural?: string;
  custom?: boolean;
  queryable?: boolean;
  deprecatedAndHidden?: boolean;
  /** Objects Bulk API 2.0 refuses with INVALIDENTITY. */
  bulkSupported?: boolean;
  /** Rows per `records` Account rows (Account itself is 1). 0 = no generated rows. */
  ratio: number;
  /** Minimum rows regardless of ratio (small reference objects). */
  minRows?: number;
  fields: FieldSpec[];
  associateEntityType?: string | null;
  associateParentEntity?: string | null;
  /** Records can be merged (Account, Contact, Lead, Case). */
  mergeable?: boolean;
}

export const audit = (): FieldSpec[] => [
  { name: 'CreatedDate', type: 'datetime', nillable: false, createable: false, updateable: false },
  { name: 'CreatedById', type: 'reference', referenceTo: ['User'], relationshipName: 'CreatedBy', nillable: false, createable: false, updateable: false },
  { name: 'LastModifiedDate', type: 'datetime', nillable: false, createable: false, updateable: false },
  { name: 'LastModifiedById', type: 'reference', referenceTo: ['User'], relationshipName: 'LastModifiedBy', nillable: false, createable: false, updateable: false },
  { name: 'SystemModstamp', type: 'datetime', nillable: false, createable: false, updateable: false },
];

export const idField = (): FieldSpec => ({ name: 'Id', type: 'id', nillable: false, createable: false, updateable: false });
export const isDeleted = (): FieldSpec => ({ name: 'IsDeleted', type: 'boolean', nillable: false, createable: false, updateable: false });

export function address(prefix: string): FieldSpec[] {
  const compound = `${prefix}Address`;
  return [
    { name: `${prefix}Street`, type: 'textarea', length: 255, compoundFieldName: compound, extraTypeInfo: 'plaintextarea' },
    { name: `${prefix}City`, type: 'string', length: 40, compoundFieldName: compound },
    { name: `${prefix}State`, type: 'string', length: 80, compoundFieldName: compound },
    { name: `${prefix}PostalCode`, type: 'string', length: 20, compoundFieldName: compound },
    { name: `${prefix}Country`, type: 'string', length: 80, compoundFieldName: compound },
    { name: `${prefix}Latitude`, type: 'double', precision: 18, scale: 15, compoundFieldName: compound },
    { name: `${prefix}Longitude`, type: 'double', precision: 18, scale: 15, compoundFieldName: compound },
    { name: `${prefix}GeocodeAccuracy`, type: 'picklist', length: 40, compoundFieldName: compound, picklist: ['Address', 'NearAddress', 'Block', 'Street', 'ExtendedZip', 'Zip', 'City', 'State', 'Unknown'] },
    { name: compound, type: 'address', createable: false, updateable: false },
  ];
}
