/**
 * Custom query streams: a configured SOQL query becomes a stream whose schema comes from the
 * describes of its FROM object and of every object its relationship paths reach
 * (`Owner.Name` → Account.Owner → User → User.Name). Field names are matched the way SOQL matches
 * them (case-insensitively) and written the way Salesforce spells them, so Bulk headers, REST
 * records and the schema agree.
 */
import type { CustomQuery } from '../config/types.js';
import { ConfigError } from '../core/errors.js';
import { parseSoqlSelect, SoqlShapeError, type SoqlSelect } from '../salesforce/soql-parse.js';
import { buildFieldDefinition, BULK_UNSUPPORTED, mapFieldType, REPLICATION_KEYS, type DescribeField, type DescribeResult } from './build-stream.js';
import type { FieldDefinition, JsonSchema, StreamDefinition } from './types.js';

/** SOQL follows at most five levels of parent relationships. */
const MAX_DEPTH = 5;

/**
 * A polymorphic relationship (Task.Who → Contact or Lead, Case.Owner → User or Group) lands on
 * the `Name` entity: only its fields can be selected through it (other fields need TYPEOF).
 */
const NAME_ENTITY: DescribeResult = {
  name: 'Name',
  fields: [
    ['Id', 'id'], ['Name', 'string'], ['Type', 'picklist'], ['FirstName', 'string'], ['LastName', 'string'], ['Alias', 'string'],
    ['Email', 'email'], ['Phone', 'phone'], ['Title', 'string'], ['IsActive', 'boolean'], ['Username', 'string'],
    ['UserRoleId', 'reference'], ['ProfileId', 'reference'], ['LastReferencedDate', 'datetime'], ['LastViewedDate', 'datetime'],
  ].map(([name, type]) => ({ name: name!, type: type!, nillable: true })),
};

/** The objects a relationship's next segment is resolved against. */
function relationshipTargets(relation: DescribeField, cache: Map<string, DescribeResult | null>): DescribeResult[] {
  const targets = relation.referenceTo ?? [];
  if (targets.length > 1) return [NAME_ENTITY];
  return targets.map((t) => cache.get(lower(t))).filter((o): o is DescribeResult => o != null);
}

/** Describes objects by name; names it cannot describe are left out of the result. */
export type DescribeObjects = (names: string[]) => Promise<DescribeResult[]>;

const lower = (s: string) => s.toLowerCase();

function fail(query: CustomQuery, index: number, code: string, problem: string): ConfigError {
  return new ConfigError(code, `custom_queries[${index}] (${query.name}): ${problem}`);
}

interface Resolved {
  /** The path as Salesforce spells it. */
  path: string;
  field: DescribeField;
  depth: number;
}

/**
 * Builds the stream definitions of the configured custom queries. Objects are described level by
 * level, one batch per level, and each describe once however many queries need it.
 */
export async function buildCustomQueryStreams(queries: CustomQuery[], describe: DescribeObjects, objectStreamNames: Iterable<string> = []): Promise<StreamDefinition[]> {
  const cache = new Map<string, DescribeResult | null>();
  const ensure = async (names: string[]) => {
    const missing = [...new Set(names.filter((n) => !cache.has(lower(n))))];
    if (missing.length === 0) return;
    for (const result of await describe(missing)) cache.set(lower(result.name), result);
    for (const name of missing) if (!cache.has(lower(name))) cache.set(lower(name), null);
  };

  const parsed: SoqlSelect[] = queries.map((query, index) => {
    try {
      return parseSoqlSelect(query.query);
    } catch (error) {
      if (error instanceof SoqlShapeError) throw fail(query, index, 'TAP_CUSTOM_QUERY_INVALID', `the query cannot be used: ${error.message}.`);
      throw error;
    }
  });

  const taken = new Set([...objectStreamNames].map(lower));
  queries.forEach((query, index) => {
    if (taken.has(lower(query.name))) throw fail(query, index, 'TAP_CUSTOM_QUERY_NAME_TAKEN', `the name is already the name of an object stream; pick another name.`);
  });

  await ensure(parsed.map((p) => p.from));
  await prefetchParents(parsed, ensure, cache);
  const definitions: StreamDefinition[] = [];
  for (const [index, query] of queries.entries()) {
    const select = parsed[index]!;
    const from = cache.get(lower(select.from));
    if (!from) throw fail(query, index, 'TAP_CUSTOM_QUERY_UNKNOWN_OBJECT', `the org has no queryable object \`${select.from}\` (or this user cannot see it). Object names are API names, e.g. Account or Invoice__c.`);
    const resolved: Resolved[] = [];
    for (const path of select.fields) resolved.push(resolvePath(path, from, cache, (problem) => fail(query, index, 'TAP_CUSTOM_QUERY_UNKNOWN_FIELD', problem)));
    definitions.push(buildDefinition(query, index, from, resolved, select.where));
  }
  return definitions;
}

/** Describes every parent object the paths reach, one batch per relationship level. */
async function prefetchParents(selects: SoqlSelect[], ensure: (names: string[]) => Promise<void>, cache: Map<string, DescribeResult | null>): Promise<void> {
  let walks = selects.flatMap((select) => {
    const from = cache.get(lower(select.from));
    return from ? select.fields.filter((f) => f.includes('.')).map((f) => ({ objects: [from], segments: f.split('.').slice(0, -1) })) : [];
  });
  for (let depth = 0; walks.length > 0 && depth < MAX_DEPTH; depth++) {
    const steps = walks.map((walk) => {
      const relation = walk.objects.flatMap((o) => o.fields).find((f) => lower(f.relationshipName ?? '') === lower(walk.segments[depth]!));
      return { walk, relation };
    });
    await ensure(steps.flatMap(({ relation }) => (relation?.referenceTo?.length === 1 ? relation.referenceTo : [])));
    walks = steps
      .map(({ walk, relation }) => ({ ...walk, objects: relation ? relationshipTargets(relation, cache) : [] }))
      .filter((walk) => walk.objects.length > 0 && walk.segments.length > depth + 1);
  }
}

/** Resolves a field path against the describes prefetchParents cached. */
function resolvePath(
  path: string,
  from: DescribeResult,
  cache: Map<string, DescribeResult | null>,
  error: (problem: string) => ConfigError,
): Resolved {
  const segments = path.split('.');
  if (segments.length - 1 > MAX_DEPTH) throw error(`\`${path}\` follows more than ${MAX_DEPTH} relationships, which SOQL does not allow.`);
  // Several candidate objects: a polymorphic relationship (Task.Who → Contact or Lead).
  let objects: DescribeResult[] = [from];
  const spelled: string[] = [];
  for (const [depth, segment] of segments.entries()) {
    const last = depth === segments.length - 1;
    const where = objects.map((o) => o.name).join(' or ');
    if (last) {
      for (const object of objects) {
        const field = object.fields.find((f) => lower(f.name) === lower(segment));
        if (!field) continue;
        if (depth > 0 && (field.type === 'address' || field.type === 'location')) {
          throw error(`\`${path}\` is a compound field of a related object; select its components (e.g. ${path.replace(/Address$/, 'City')}) instead.`);
        }
        return { path: [...spelled, field.name].join('.'), field, depth };
      }
      const hint = objects[0]!.fields.find((f) => lower(f.relationshipName ?? '') === lower(segment));
      if (objects[0] === NAME_ENTITY) {
        throw error(`\`${path}\`: ${spelled.join('.')} is polymorphic, so only the Name entity's fields (${NAME_ENTITY.fields.map((f) => f.name).join(', ')}) can be selected through it.`);
      }
      throw error(`${where} has no field \`${segment}\`${hint ? ` (\`${hint.relationshipName}\` is a relationship: select one of its fields, e.g. ${[...spelled, hint.relationshipName].join('.')}.Id)` : ''}. Field names are API names (custom ones end in __c); check the object's fields in Setup.`);
    }
    const relation = objects.flatMap((o) => o.fields).find((f) => lower(f.relationshipName ?? '') === lower(segment));
    if (!relation || !relation.relationshipName) {
      const isField = objects.some((o) => o.fields.some((f) => lower(f.name) === lower(segment)));
      throw error(`${where} has no relationship \`${segment}\`${isField ? ` (\`${segment}\` is a field, not a relationship: for a custom lookup use its __r name)` : ''}; paths such as Owner.Name use relationship names.`);
    }
    spelled.push(relation.relationshipName);
    const targets = relation.referenceTo ?? [];
    objects = relationshipTargets(relation, cache);
    if (objects.length === 0) throw error(`\`${[...spelled].join('.')}\` points to ${targets.join(', ') || 'no object'}, which this user cannot describe.`);
  }
  throw error(`\`${path}\` is empty.`);
}

function buildDefinition(query: CustomQuery, index: number, from: DescribeResult, selected: Resolved[], filter: string | undefined): StreamDefinition {
  const topLevel = new Map(from.fields.map((f) => [lower(f.name), f]));
  const fields: FieldDefinition[] = [];
  const seen = new Set<string>();
  const add = (definition: FieldDefinition) => {
    if (seen.has(lower(definition.name))) return;
    seen.add(lower(definition.name));
    fields.push(definition);
  };
  const addTopLevel = (name: string) => {
    const field = topLevel.get(lower(name))!;
    const components = from.fields.filter((f) => f.compoundFieldName === field.name).map((f) => f.name);
    add(buildFieldDefinition(field, components));
    // A compound is read through its components (Bulk cannot select it): they are columns too.
    for (const component of components) add(buildFieldDefinition(topLevel.get(lower(component))!));
  };

  const key = query.primaryKey ?? (topLevel.has('id') ? ['Id'] : []);
  for (const name of key) {
    if (!topLevel.has(lower(name))) throw fail(query, index, 'TAP_CUSTOM_QUERY_UNKNOWN_FIELD', `primary_key names \`${name}\`, which ${from.name} does not have.`);
  }
  const available = REPLICATION_KEYS.filter((k) => topLevel.has(lower(k)));
  let replicationKey: string | undefined;
  if (query.replicationKey) {
    const field = topLevel.get(lower(query.replicationKey));
    if (!field || !['datetime', 'date'].includes(field.type)) {
      throw fail(query, index, 'TAP_CUSTOM_QUERY_BAD_REPLICATION_KEY', `replication_key \`${query.replicationKey}\` must be a date or datetime field of ${from.name}${available.length ? ` such as ${available.join(', ')}` : ''}.`);
    }
    replicationKey = field.name;
  } else replicationKey = available[0];

  for (const resolved of selected) {
    if (resolved.depth === 0) addTopLevel(resolved.field.name);
    else add(buildRelatedField(resolved));
  }
  // Key and cursor are always read: records are keyed and windows filter on the cursor.
  for (const name of [...key, ...(replicationKey ? [replicationKey] : [])]) addTopLevel(name);

  const properties: Record<string, JsonSchema> = {};
  for (const f of fields) properties[f.name] = f.schema;
  const canonicalKey = key.map((k) => topLevel.get(lower(k))!.name);
  return {
    name: query.name,
    sobject: from.name,
    query: query.query,
    ...(filter ? { filter } : {}),
    label: `${query.name} (custom query on ${from.name})`,
    custom: true,
    keyProperties: canonicalKey,
    ...(replicationKey ? { replicationKey } : {}),
    validReplicationKeys: replicationKey && !available.includes(replicationKey as (typeof available)[number]) ? [replicationKey, ...available] : [...available],
    bulkSupported: !BULK_UNSUPPORTED.has(from.name),
    // Deleted rows come only when the query asks for IsDeleted: they would be unmarked otherwise.
    hasIsDeleted: seen.has('isdeleted') && topLevel.has('isdeleted'),
    fields,
    schema: { type: 'object', additionalProperties: true, properties },
  };
}

/** A parent's field: always nullable (the parent may be missing), never a compound's component. */
function buildRelatedField(resolved: Resolved): FieldDefinition {
  const definition = buildFieldDefinition({ ...resolved.field, name: resolved.path, compoundFieldName: null });
  const schema = mapFieldType(resolved.field.type).schema;
  if (definition.calculated) schema.description = definition.schema.description;
  return { ...definition, schema, nullable: true };
}
