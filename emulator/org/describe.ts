/**
 * Renders the object table as Salesforce serves it: describe fields with the 57 keys of
 * shared/reference §3.3 (alphabetical), sobject describes and describeGlobal entries.
 */
import type { FieldSpec, ObjectSpec } from './spec.js';
import type { FieldDescribe, GlobalSObject, SObjectDescribe } from './types.js';

const SOAP_TYPES: Record<string, string> = {
  id: 'tns:ID', reference: 'tns:ID', string: 'xsd:string', textarea: 'xsd:string', email: 'xsd:string', phone: 'xsd:string',
  url: 'xsd:string', picklist: 'xsd:string', multipicklist: 'xsd:string', combobox: 'xsd:string', encryptedstring: 'xsd:string',
  boolean: 'xsd:boolean', int: 'xsd:int', long: 'xsd:long', double: 'xsd:double', currency: 'xsd:double', percent: 'xsd:double',
  date: 'xsd:date', datetime: 'xsd:dateTime', time: 'xsd:time', base64: 'xsd:base64Binary', address: 'urn:address',
  location: 'urn:location', anyType: 'xsd:anyType', json: 'tns:json', complexvalue: 'urn:RelationshipReferenceTo',
};

const TEXT_TYPES = new Set(['string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist', 'combobox', 'encryptedstring']);
/** Fields of the `Name` entity a polymorphic relationship lands on (Task.Who.Name, Lead.Owner.Email). */
const NAME_ENTITY_FIELDS: FieldSpec[] = [
  { name: 'Id', type: 'id' },
  { name: 'Name', type: 'string', length: 255 },
  { name: 'Type', type: 'picklist', length: 40 },
  { name: 'FirstName', type: 'string', length: 40 },
  { name: 'LastName', type: 'string', length: 80 },
  { name: 'Alias', type: 'string', length: 8 },
  { name: 'Email', type: 'email', length: 80 },
  { name: 'Phone', type: 'phone', length: 40 },
  { name: 'Title', type: 'string', length: 80 },
  { name: 'IsActive', type: 'boolean' },
  { name: 'Username', type: 'string', length: 80 },
].map((f) => ({ ...f, createable: false, updateable: false }));

/** A field of the `Name` entity (case-insensitive), or undefined. */
export function nameEntityField(name: string): FieldDescribe | undefined {
  const spec = NAME_ENTITY_FIELDS.find((f) => f.name.toLowerCase() === name.toLowerCase());
  return spec ? describeField(spec, 'Name') : undefined;
}

function describeField(spec: FieldSpec, objectName: string): FieldDescribe {
  const text = TEXT_TYPES.has(spec.type);
  const length = text ? spec.length ?? 255 : spec.type === 'id' || spec.type === 'reference' ? 18 : 0;
  const calculated = spec.calculatedFormula !== undefined;
  const nillable = spec.nillable ?? !(spec.type === 'boolean' || spec.type === 'id');
  const system = spec.createable === false;
  const field: Record<string, unknown> = {
    aggregatable: !['textarea', 'address', 'location', 'base64', 'json', 'anyType'].includes(spec.type) || (spec.type === 'textarea' && length <= 255),
    aiPredictionField: false,
    autoNumber: spec.autoNumber ?? false,
    byteLength: text ? length * 3 : length,
    calculated,
    calculatedFormula: spec.calculatedFormula ?? null,
    cascadeDelete: false,
    caseSensitive: false,
    compoundFieldName: spec.compoundFieldName ?? null,
    controllerName: null,
    createable: spec.createable ?? !calculated,
    custom: spec.custom ?? spec.name.endsWith('__c'),
    defaultValue: spec.type === 'boolean' ? false : null,
    defaultValueFormula: null,
    defaultedOnCreate: spec.type === 'boolean' || spec.name === 'OwnerId' || system,
    dependentPicklist: false,
    deprecatedAndHidden: false,
    digits: spec.type === 'int' ? spec.length ?? 9 : 0,
    displayLocationInDecimal: spec.type === 'location',
    encrypted: spec.type === 'encryptedstring',
    externalId: spec.externalId ?? false,
    extraTypeInfo: spec.extraTypeInfo ?? (spec.type === 'textarea' ? 'plaintextarea' : null),
    filterable: !['textarea', 'address', 'location', 'base64', 'json', 'anyType'].includes(spec.type) || (spec.type === 'textarea' && length <= 255),
    filteredLookupInfo: null,
    formulaTreatNullNumberAsZero: false,
    groupable: ['string', 'id', 'reference', 'picklist', 'boolean', 'date', 'email', 'phone', 'url', 'combobox', 'int'].includes(spec.type),
    highScaleNumber: false,
    htmlFormatted: false,
    idLookup: spec.type === 'id' || (spec.name === 'Name' && objectName !== 'User') || spec.name === 'Username' || spec.externalId === true || spec.autoNumber === true,
    inlineHelpText: null,
    label: labelOf(spec.name),
    length,
    mask: spec.type === 'encryptedstring' ? 'lastFour' : null,
    maskType: spec.type === 'encryptedstring' ? 'all' : null,
    name: spec.name,
    nameField: spec.nameField ?? spec.name === 'Name',
    namePointing: false,
    nillable: spec.type === 'id' ? false : nillable,
    permissionable: !system && nillable && spec.type !== 'id',
    picklistValues: (spec.picklist ?? []).map((value) => ({ active: true, defaultValue: false, label: value, validFor: null, value })),
    polymorphicForeignKey: (spec.referenceTo?.length ?? 0) > 1,
    precision: ['double', 'currency', 'percent', 'long'].includes(spec.type) ? spec.precision ?? 18 : 0,
    queryByDistance: spec.type === 'address' || spec.type === 'location',
    referenceTargetField: null,
    referenceTo: spec.referenceTo ?? [],
    relationshipName: spec.relationshipName ?? null,
    relationshipOrder: null,
    restrictedDelete: false,
    restrictedPicklist: spec.type === 'picklist' && spec.name.endsWith('GeocodeAccuracy'),
    scale: ['double', 'currency', 'percent'].includes(spec.type) ? spec.scale ?? 0 : 0,
    searchPrefilterable: false,
    soapType: SOAP_TYPES[spec.type] ?? 'xsd:string',
    sortable: !['textarea', 'address', 'location', 'base64', 'json', 'anyType', 'multipicklist'].includes(spec.type) || (spec.type === 'textarea' && length <= 255),
    type: spec.type,
    unique: false,
    updateable: spec.updateable ?? (!calculated && !system),
    writeRequiresMasterRead: false,
  };
  return field as FieldDescribe;
}

function labelOf(name: string): string {
  return name.replace(/__[csr]$/, '').replace(/_/g, ' ').replace(/([a-z])([A-Z])/g, '$1 $2').replace(/ Id$/, ' ID');
}

function urlsOf(name: string, version: string): Record<string, string> {
  const base = `/services/data/v${version}/sobjects/${name}`;
  return { compactLayouts: `${base}/describe/compactLayouts`, rowTemplate: `${base}/{ID}`, approvalLayouts: `${base}/describe/approvalLayouts`, defaultValues: `${base}/defaultValues?recordTypeId&fields`, describe: `${base}/describe`, quickActions: `${base}/quickActions`, layouts: `${base}/describe/layouts`, sobject: base };
}

export function describeObject(spec: ObjectSpec, version: string, children: { childSObject: string; field: string; relationshipName: string | null }[]): SObjectDescribe {
  const queryable = spec.queryable ?? true;
  const describe: Record<string, unknown> = {
    actionOverrides: [],
    activateable: false,
    associateEntityType: spec.associateEntityType ?? null,
    associateParentEntity: spec.associateParentEntity ?? null,
    childRelationships: children.map((c) => ({ cascadeDelete: false, childSObject: c.childSObject, deprecatedAndHidden: false, field: c.field, junctionIdListNames: [], junctionReferenceTo: [], relationshipName: c.relationshipName, restrictedDelete: false })),
    compactLayoutable: queryable,
    createable: queryable,
    custom: spec.custom ?? false,
    customSetting: false,
    deepCloneable: false,
    defaultImplementation: null,
    deletable: queryable,
    deprecatedAndHidden: spec.deprecatedAndHidden ?? false,
    extendedBy: null,
    extendsInterfaces: null,
    feedEnabled: !spec.custom,
    fields: spec.fields.map((f) => describeField(f, spec.name)),
    hasSubtypes: false,
    implementedBy: null,
    implementsInterfaces: null,
    isInterface: false,
    isSubtype: false,
    keyPrefix: spec.keyPrefix,
    label: spec.label,
    labelPlural: spec.labelPlural ?? `${spec.label}s`,
    layoutable: queryable,
    listviewable: null,
    lookupLayoutable: null,
    mergeable: spec.mergeable ?? (spec.name === 'Account' || spec.name === 'Contact'),
    mruEnabled: queryable,
    name: spec.name,
    namedLayoutInfos: [],
    networkScopeFieldName: null,
    queryable,
    recordTypeInfos: [{ active: true, available: true, defaultRecordTypeMapping: true, developerName: 'Master', master: true, name: 'Master', recordTypeId: '012000000000000AAA', urls: { layout: `/services/data/v${version}/sobjects/${spec.name}/describe/layouts/012000000000000AAA` } }],
    replicateable: queryable,
    retrieveable: queryable,
    searchLayoutable: queryable,
    searchable: queryable,
    supportedScopes: [{ label: 'All', name: 'everything' }],
    triggerable: queryable,
    undeletable: queryable,
    updateable: queryable,
    urls: urlsOf(spec.name, version),
  };
  return describe as SObjectDescribe;
}

export function globalEntry(spec: ObjectSpec, version: string): GlobalSObject {
  const queryable = spec.queryable ?? true;
  return {
    activateable: false, associateEntityType: spec.associateEntityType ?? null, associateParentEntity: spec.associateParentEntity ?? null,
    createable: queryable, custom: spec.custom ?? false, customSetting: false, deepCloneable: false, deletable: queryable,
    deprecatedAndHidden: spec.deprecatedAndHidden ?? false, feedEnabled: !spec.custom, hasSubtypes: false, isInterface: false, isSubtype: false,
    keyPrefix: spec.keyPrefix, label: spec.label, labelPlural: spec.labelPlural ?? `${spec.label}s`, layoutable: queryable, mergeable: spec.mergeable ?? spec.name === 'Account',
    mruEnabled: queryable, name: spec.name, queryable, replicateable: queryable, retrieveable: queryable, searchable: queryable,
    triggerable: queryable, undeletable: queryable, updateable: queryable,
    urls: { rowTemplate: `/services/data/v${version}/sobjects/${spec.name}/{ID}`, describe: `/services/data/v${version}/sobjects/${spec.name}/describe`, sobject: `/services/data/v${version}/sobjects/${spec.name}` },
  };
}

/** The relationship name under which a parent's describe lists the child object's rows. */
export function childRelationshipName(child: ObjectSpec): string {
  return child.custom ? `${child.name.replace(/__c$/, '')}s__r` : `${child.name}s`;
}
