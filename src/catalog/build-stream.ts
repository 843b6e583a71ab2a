/**
 * Salesforce describes → protocol-neutral stream definitions: one table from field type to JSON
 * Schema and value kind, the key and replication key rules, and what Bulk API 2.0 can select.
 */
import type { FieldDefinition, JsonSchema, SalesforceFieldType, StreamDefinition, ValueKind } from './types.js';

/** The subset of a describe field the catalog reads. */
export interface DescribeField {
  name: string;
  type: string;
  nillable?: boolean;
  calculated?: boolean;
  calculatedFormula?: string | null;
  compoundFieldName?: string | null;
  referenceTo?: string[];
  relationshipName?: string | null;
  label?: string;
}

export interface DescribeResult {
  name: string;
  label?: string;
  custom?: boolean;
  queryable?: boolean;
  /** getDeleted serves only objects that are replicateable; deletes exist only for deletable ones. */
  replicateable?: boolean;
  deletable?: boolean;
  fields: DescribeField[];
}

const ADDRESS_PROPERTIES: Record<string, JsonSchema> = {
  street: { type: ['null', 'string'] },
  city: { type: ['null', 'string'] },
  state: { type: ['null', 'string'] },
  postalCode: { type: ['null', 'string'] },
  country: { type: ['null', 'string'] },
  latitude: { type: ['null', 'number'] },
  longitude: { type: ['null', 'number'] },
  geocodeAccuracy: { type: ['null', 'string'] },
};

const LOCATION_PROPERTIES: Record<string, JsonSchema> = {
  latitude: { type: ['null', 'number'] },
  longitude: { type: ['null', 'number'] },
};

/**
 * The one type table. `long` is an integer (Salesforce longs are 18-digit-scale integers; values
 * past 2^53 keep their digits as strings, see value-kinds). anyType (History OldValue/NewValue)
 * holds any scalar, so it stays a string of its text; json and complexvalue are kept as text.
 */
const TYPE_TABLE: Record<string, { kind: ValueKind; schema: JsonSchema }> = {
  boolean: { kind: 'boolean', schema: { type: ['null', 'boolean'] } },
  int: { kind: 'integer', schema: { type: ['null', 'integer'] } },
  long: { kind: 'integer', schema: { type: ['null', 'integer'] } },
  double: { kind: 'number', schema: { type: ['null', 'number'] } },
  currency: { kind: 'number', schema: { type: ['null', 'number'] } },
  percent: { kind: 'number', schema: { type: ['null', 'number'] } },
  date: { kind: 'date', schema: { type: ['null', 'string'], format: 'date' } },
  datetime: { kind: 'datetime', schema: { type: ['null', 'string'], format: 'date-time', airbyte_type: 'timestamp_with_timezone' } },
  time: { kind: 'time', schema: { type: ['null', 'string'], format: 'time', airbyte_type: 'time_with_timezone' } },
  // Queries never return blob content, only its URL (relative to the instance); downloading every
  // blob would cost a request per row and could be gigabytes, so the URL is what a record holds.
  base64: { kind: 'string', schema: { type: ['null', 'string'], format: 'uri-reference', description: 'Blob URL relative to the instance URL: GET it with a session to download the content.' } },
  address: { kind: 'object', schema: { type: ['null', 'object'], properties: ADDRESS_PROPERTIES } },
  location: { kind: 'object', schema: { type: ['null', 'object'], properties: LOCATION_PROPERTIES } },
};

const STRING_TYPES = new Set(['id', 'reference', 'string', 'textarea', 'email', 'phone', 'url', 'picklist', 'multipicklist', 'combobox', 'encryptedstring', 'anyType', 'json', 'complexvalue', 'datacategorygroupreference', 'masterrecord']);

/** Types Bulk API 2.0 cannot select (shared/reference §5.7). */
const NOT_BULK_SELECTABLE = new Set(['base64', 'address', 'location', 'json']);

export const REPLICATION_KEYS = ['SystemModstamp', 'LastModifiedDate', 'CreatedDate', 'LoginTime'] as const;

/** Objects Bulk API 2.0 refuses (INVALIDENTITY) although they are queryable; the read also falls back at run time. */
export const BULK_UNSUPPORTED = new Set([
  'AcceptedEventRelation', 'AssetTokenEvent', 'Attachment', 'AttachedContentNote', 'CaseStatus', 'ContractStatus', 'DeclinedEventRelation',
  'EventWhoRelation', 'FieldSecurityClassification', 'KnowledgeArticle', 'KnowledgeArticleVersion', 'KnowledgeArticleVersionHistory',
  'KnowledgeArticleViewStat', 'KnowledgeArticleVoteStat', 'OrderStatus', 'PartnerRole', 'QuoteTemplateRichTextData', 'RecentlyViewed',
  'ServiceAppointmentStatus', 'ShiftStatus', 'SolutionStatus', 'TaskPriority', 'TaskStatus', 'TaskWhoRelation', 'UndecidedEventRelation',
  'WorkOrderLineItemStatus', 'WorkOrderStatus', 'UserRecordAccess', 'CaseTeamTemplateRecord', 'CaseTeamTemplateMember', 'CaseTeamTemplate',
  'CaseTeamRole', 'CaseTeamMember', 'ChannelProgramLevelShare', 'AccountBrandShare', 'AccountFeed', 'AssetFeed',
]);

export interface FieldMapping {
  kind: ValueKind;
  schema: JsonSchema;
  /** The type was not in the table and is read as text. */
  unknown: boolean;
}

export function mapFieldType(type: string): FieldMapping {
  const known = TYPE_TABLE[type];
  if (known) return { kind: known.kind, schema: structuredClone(known.schema), unknown: false };
  return { kind: 'string', schema: { type: ['null', 'string'] }, unknown: !STRING_TYPES.has(type) };
}

export function buildFieldDefinition(field: DescribeField, components?: string[]): FieldDefinition {
  const mapping = mapFieldType(field.type);
  const isId = field.type === 'id';
  const schema = isId ? { type: 'string' } : mapping.schema;
  const formula = field.calculated && typeof field.calculatedFormula === 'string' && field.calculatedFormula !== '' ? field.calculatedFormula : undefined;
  if (field.calculated) schema.description = formulaDescription(formula);
  return {
    name: field.name,
    sfType: field.type as SalesforceFieldType,
    valueKind: mapping.kind,
    schema,
    nullable: !isId,
    calculated: field.calculated === true,
    ...(formula !== undefined ? { formula } : {}),
    ...(components && components.length > 0 ? { components } : {}),
    ...(field.compoundFieldName ? { compoundFieldName: field.compoundFieldName } : {}),
    bulkSelectable: !NOT_BULK_SELECTABLE.has(field.type),
  };
}

/** What a formula field's schema says about it, its formula text included when the describe has it. */
export function formulaDescription(formula: string | undefined): string {
  const what = formula === undefined ? 'Formula field' : `Formula field: ${formula}`;
  return `${what}. Changes of its inputs may not move SystemModstamp (see formula_fields).`;
}

export function buildStreamDefinition(describe: DescribeResult): StreamDefinition {
  const componentsOf = new Map<string, string[]>();
  for (const f of describe.fields) {
    if (f.compoundFieldName) componentsOf.set(f.compoundFieldName, [...(componentsOf.get(f.compoundFieldName) ?? []), f.name]);
  }
  const fields = describe.fields.map((f) => buildFieldDefinition(f, f.type === 'address' || f.type === 'location' ? componentsOf.get(f.name) : undefined));
  const names = new Set(fields.map((f) => f.name));
  const validReplicationKeys = REPLICATION_KEYS.filter((k) => names.has(k));
  const properties: Record<string, JsonSchema> = {};
  for (const f of fields) properties[f.name] = f.schema;
  return {
    name: describe.name,
    sobject: describe.name,
    ...(describe.label ? { label: describe.label } : {}),
    custom: describe.custom === true,
    keyProperties: names.has('Id') ? ['Id'] : [],
    ...(validReplicationKeys[0] ? { replicationKey: validReplicationKeys[0] } : {}),
    validReplicationKeys,
    bulkSupported: !BULK_UNSUPPORTED.has(describe.name),
    hasIsDeleted: names.has('IsDeleted'),
    capturesDeletes: describe.replicateable !== false && describe.deletable !== false,
    fields,
    schema: { type: 'object', additionalProperties: true, properties },
  };
}

/** Why discovery leaves an object out, or undefined to keep it. */
export function skipReason(entry: { name: string; queryable?: boolean; deprecatedAndHidden?: boolean }): string | undefined {
  if (entry.queryable === false) return 'not queryable';
  if (entry.deprecatedAndHidden === true) return 'deprecated and hidden';
  if (/ChangeEvent$/.test(entry.name)) return 'change event (streaming only)';
  if (QUERY_RESTRICTED.has(entry.name)) return 'needs a filter Salesforce requires on every query';
  if (QUERY_INCOMPATIBLE.has(entry.name)) return 'cannot be queried with query/queryAll';
  return undefined;
}

const QUERY_RESTRICTED = new Set([
  'Announcement', 'AppTabMember', 'CollaborationGroupRecord', 'ColorDefinition', 'ContentFolderItem', 'ContentFolderMember', 'DataStatistics',
  'DatacloudDandBCompany', 'EntityParticle', 'FieldDefinition', 'FieldHistoryArchive', 'FlexQueueItem', 'FlowVariableView', 'FlowVersionView',
  'IconDefinition', 'IdeaComment', 'NetworkUserHistoryRecent', 'OwnerChangeOptionInfo', 'PicklistValueInfo', 'PlatformAction', 'RelationshipDomain',
  'RelationshipInfo', 'SearchLayout', 'SiteDetail', 'UserEntityAccess', 'UserFieldAccess', 'Vote',
]);

const QUERY_INCOMPATIBLE = new Set([
  'AIPredictionEvent', 'ActivityHistory', 'AggregateResult', 'ApiAnomalyEvent', 'ApiEventStream', 'AssetTokenEvent', 'AsyncOperationEvent',
  'AsyncOperationStatus', 'AttachedContentDocument', 'AttachedContentNote', 'BatchApexErrorEvent', 'BulkApiResultEvent', 'CombinedAttachment',
  'ConcurLongRunApexErrEvent', 'ContentBody', 'CredentialStuffingEvent', 'DataType', 'DatacloudAddress', 'EmailStatus', 'FeedLike', 'FeedSignal',
  'FeedTrackedChange', 'FlowExecutionErrorEvent', 'FolderedContentDocument', 'LightningUriEventStream', 'ListViewChartInstance', 'ListViewEventStream',
  'LoginAsEventStream', 'LoginEventStream', 'LogoutEventStream', 'LookedUpFromActivity', 'Name', 'NoteAndAttachment', 'OpenActivity',
  'OrgLifecycleNotification', 'OutgoingEmail', 'OutgoingEmailRelation', 'OwnedContentDocument', 'PlatformStatusAlertEvent', 'ProcessExceptionEvent',
  'ProcessInstanceHistory', 'QuoteTemplateRichTextData', 'RemoteKeyCalloutEvent', 'ReportAnomalyEvent', 'ReportEventStream', 'SessionHijackingEvent',
  'UriEventStream', 'UserRecordAccess',
]);
