/**
 * Protocol-neutral selection: the catalog parsers say which streams, fields and method the user
 * chose; this resolves them against a fresh discovery (the org may have changed since).
 */
import { ConfigError } from '../core/errors.js';
import type { ReplicationMethod, SelectedStream, StreamDefinition } from './types.js';

export interface StreamChoice {
  name: string;
  /** Chosen fields; undefined = every field. */
  fields?: string[];
  method: ReplicationMethod;
  replicationKey?: string;
}

export function resolveSelection(choices: StreamChoice[], definitions: StreamDefinition[]): SelectedStream[] {
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
      throw new ConfigError('TAP_CATALOG_UNKNOWN_FIELD', `Stream ${choice.name} selects field(s) that no longer exist: ${unknown.join(', ')}. Run discover again.`);
    }
    let method = choice.method;
    let replicationKey = choice.replicationKey ?? definition.replicationKey;
    if (method === 'INCREMENTAL' && (!replicationKey || !definition.validReplicationKeys.includes(replicationKey))) {
      if (choice.replicationKey) {
        throw new ConfigError('TAP_CATALOG_BAD_REPLICATION_KEY', `Stream ${choice.name} cannot replicate incrementally on ${choice.replicationKey}; valid keys: ${definition.validReplicationKeys.join(', ') || 'none (full table only)'}.`);
      }
      method = 'FULL_TABLE';
      replicationKey = undefined;
    }
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
    return { definition, fields, method, ...(method !== 'FULL_TABLE' && replicationKey ? { replicationKey } : {}) };
  });
}

/** Every discovered stream, every field, incremental where possible (a run without a catalog). */
export function selectAll(definitions: StreamDefinition[]): SelectedStream[] {
  return resolveSelection(definitions.map((d) => ({ name: d.name, method: d.replicationKey ? 'INCREMENTAL' : 'FULL_TABLE' })), definitions);
}
