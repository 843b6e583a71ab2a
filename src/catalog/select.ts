/**
 * Protocol-neutral selection: the catalog parsers say which streams, fields and method the user
 * chose; this resolves them against a fresh discovery (the org may have changed since).
 */
import { ConfigError } from '../core/errors.js';
import { resolveOverride } from './schema-overrides.js';
import type { FieldOverride, ReplicationMethod, SelectedStream, StreamDefinition } from './types.js';

export interface StreamChoice {
  name: string;
  /** Chosen fields; undefined = every field. */
  fields?: string[];
  method: ReplicationMethod;
  replicationKey?: string;
  /** The name the catalog wants messages to carry (Singer `stream_alias`). */
  alias?: string;
  /** The catalog's schema of each property, where it gives one: it governs what is sent. */
  schemas?: Record<string, unknown>;
  /** Airbyte `cursor_field` / `primary_key` as configured: the source defines both, so they are only checked. */
  cursorField?: string[];
  primaryKey?: string[][];
}

/**
 * The selected streams, checked against the org. `warn` hears what the catalog asks that is not
 * done as asked (a cursor or key naming no field, incremental for an object without a
 * replication key), so no request is dropped without a word.
 */
export function resolveSelection(choices: StreamChoice[], definitions: StreamDefinition[], warn: (message: string) => void = () => {}): SelectedStream[] {
  const seen = new Set<string>();
  for (const choice of choices) {
    if (seen.has(choice.name)) throw new ConfigError('TAP_CATALOG_DUPLICATE_STREAM', `The catalog lists stream ${choice.name} more than once: keep one entry, or every row would be sent twice.`);
    seen.add(choice.name);
  }
  const byName = new Map(definitions.map((d) => [d.name, d]));
  const missing = choices.filter((c) => !byName.has(c.name)).map((c) => c.name);
  if (missing.length > 0) {
    throw new ConfigError('TAP_CATALOG_UNKNOWN_STREAM', `The catalog selects stream(s) the org does not have or the tap cannot read: ${missing.join(', ')}. Run discover again and select from its output.`);
  }
  return choices.map((choice) => {
    const definition = byName.get(choice.name)!;
    const known = new Set(definition.fields.map((f) => f.name));
    const unknown = (choice.fields ?? []).filter((f) => !known.has(f));
    if (unknown.length > 0) {
      throw new ConfigError(
        'TAP_CATALOG_UNKNOWN_FIELD',
        `Stream ${choice.name} selects field(s) the Salesforce object does not have: ${unknown.join(', ')}. A field removed in Salesforce needs a new discover; a property added to the catalog's schema (a Meltano \`schema:\` extra) cannot add a field: deselect or remove it.`,
      );
    }
    let method = choice.method;
    let replicationKey = choice.replicationKey ?? definition.replicationKey;
    if (method === 'INCREMENTAL' && (!replicationKey || !definition.validReplicationKeys.includes(replicationKey))) {
      if (choice.replicationKey) {
        throw new ConfigError('TAP_CATALOG_BAD_REPLICATION_KEY', `Stream ${choice.name} cannot replicate incrementally on ${choice.replicationKey}; valid keys: ${definition.validReplicationKeys.join(', ') || 'none (full table only)'}.`);
      }
      warn(`${choice.name}: incremental was asked, but the object has no replication key (SystemModstamp, LastModifiedDate, CreatedDate or LoginTime): it is read in full every run.`);
      method = 'FULL_TABLE';
      replicationKey = undefined;
    }
    const cursor = choice.cursorField?.join('.');
    if (cursor && !known.has(cursor)) warn(`${choice.name}: cursor_field ${cursor} names no field of the stream; the source defines its cursor${replicationKey ? ` (${replicationKey})` : ''} and uses it instead.`);
    const missingKeys = (choice.primaryKey ?? []).map((path) => path.join('.')).filter((key) => key !== '' && !known.has(key));
    if (missingKeys.length > 0) warn(`${choice.name}: primary_key ${missingKeys.join(', ')} names no field of the stream; the source's key (${definition.keyProperties.join(', ') || 'none'}) is used instead.`);
    if (method === 'LOG_BASED') {
      // Change events re-read rows by Id and fall back to SystemModstamp windows: both need the object itself.
      if (definition.query || !definition.validReplicationKeys.includes('SystemModstamp')) {
        throw new ConfigError('TAP_CATALOG_BAD_REPLICATION_METHOD', `Stream ${choice.name} cannot be read through change events (LOG_BASED): it needs an object with SystemModstamp, not a custom query.`);
      }
      replicationKey = 'SystemModstamp';
    }
    const wanted = new Set(choice.fields ?? definition.fields.map((f) => f.name));
    for (const key of definition.keyProperties) wanted.add(key);
    if (method !== 'FULL_TABLE' && replicationKey) wanted.add(replicationKey);
    const fields = definition.fields.map((f) => f.name).filter((f) => wanted.has(f));
    const overrides: Record<string, FieldOverride> = {};
    for (const field of definition.fields) {
      const requested = choice.schemas?.[field.name];
      const override = requested !== undefined && wanted.has(field.name) ? resolveOverride(choice.name, field, requested) : undefined;
      if (override) overrides[field.name] = override;
    }
    return {
      definition,
      fields,
      method,
      ...(method !== 'FULL_TABLE' && replicationKey ? { replicationKey } : {}),
      ...(choice.alias !== undefined && choice.alias !== choice.name ? { alias: choice.alias } : {}),
      ...(Object.keys(overrides).length > 0 ? { overrides } : {}),
    };
  });
}

/** Every discovered stream, every field, incremental where possible (a run without a catalog). */
export function selectAll(definitions: StreamDefinition[]): SelectedStream[] {
  return resolveSelection(definitions.map((d) => ({ name: d.name, method: d.replicationKey ? 'INCREMENTAL' : 'FULL_TABLE' })), definitions);
}
