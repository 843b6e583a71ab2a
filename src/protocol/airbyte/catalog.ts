/**
 * Airbyte catalogs: the CATALOG `discover` emits, and the ConfiguredAirbyteCatalog `read` gets.
 */
import { ConfigError } from '../../core/errors.js';
import type { StreamChoice } from '../../catalog/select.js';
import type { StreamDefinition } from '../../catalog/types.js';
import { AIRBYTE_DELETED_AT, deletedAtSchema } from '../deleted-at.js';

/** Incremental streams of objects getDeleted serves may carry tombstones (`capture_hard_deletes`). */
function jsonSchemaOf(d: StreamDefinition): Record<string, unknown> {
  const schema = { $schema: 'http://json-schema.org/draft-07/schema#', ...d.schema };
  if (!d.capturesDeletes || !d.replicationKey) return schema;
  return { ...schema, properties: { ...d.schema.properties, [AIRBYTE_DELETED_AT]: { ...deletedAtSchema(), airbyte_type: 'timestamp_with_timezone' } } };
}

export function encodeAirbyteStreams(definitions: StreamDefinition[]): Record<string, unknown>[] {
  return definitions.map((d) => ({
    name: d.name,
    json_schema: jsonSchemaOf(d),
    supported_sync_modes: d.replicationKey ? ['full_refresh', 'incremental'] : ['full_refresh'],
    source_defined_cursor: true,
    ...(d.replicationKey ? { default_cursor_field: [d.replicationKey] } : {}),
    source_defined_primary_key: d.keyProperties.map((k) => [k]),
    is_resumable: true,
  }));
}

const SYNC_MODES = new Set(['full_refresh', 'incremental']);

export function parseAirbyteCatalog(raw: unknown): StreamChoice[] {
  const streams = (raw as { streams?: unknown } | null)?.streams;
  if (!Array.isArray(streams)) throw new ConfigError('TAP_CATALOG_INVALID', 'Expected the configured catalog to be an object with a `streams` array.');
  return streams.map((entry: unknown, i): StreamChoice => {
    const configured = entry as { stream?: { name?: unknown; json_schema?: { properties?: Record<string, unknown> } }; sync_mode?: unknown; cursor_field?: unknown; primary_key?: unknown };
    const name = configured?.stream?.name;
    if (typeof name !== 'string') throw new ConfigError('TAP_CATALOG_INVALID', `Expected \`streams[${i}].stream.name\` to be a string.`);
    if (typeof configured.sync_mode !== 'string' || !SYNC_MODES.has(configured.sync_mode)) {
      throw new ConfigError('TAP_CATALOG_INVALID', `Expected \`streams[${i}].sync_mode\` to be \`full_refresh\` or \`incremental\`, got \`${String(configured.sync_mode)}\` (stream ${name}).`);
    }
    const properties = configured.stream?.json_schema?.properties;
    const cursor = configured.cursor_field;
    const key = configured.primary_key;
    return {
      name,
      ...(Array.isArray(cursor) && cursor.every((p) => typeof p === 'string') ? { cursorField: cursor as string[] } : {}),
      ...(Array.isArray(key) && key.every((path) => Array.isArray(path) && path.every((p) => typeof p === 'string')) ? { primaryKey: key as string[][] } : {}),
      // `_ab_cdc_*` columns are the protocol's own (tombstones), not Salesforce fields to select.
      ...(properties && typeof properties === 'object' ? { fields: Object.keys(properties).filter((f) => !f.startsWith('_ab_cdc_')) } : {}),
      // The source defines the cursor (source_defined_cursor), so a configured cursor_field is ignored.
      method: configured.sync_mode === 'incremental' ? 'INCREMENTAL' : 'FULL_TABLE',
    };
  });
}
