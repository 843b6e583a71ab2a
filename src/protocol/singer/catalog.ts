/**
 * Singer catalogs: what `--discover` prints, and the selection a `--catalog`/`--properties` file
 * (often rewritten by Meltano's select rules) asks for.
 */
import { ConfigError } from '../../core/errors.js';
import type { StreamChoice } from '../../catalog/select.js';
import type { JsonSchema, StreamDefinition } from '../../catalog/types.js';

interface MetadataEntry {
  breadcrumb: string[];
  metadata: Record<string, unknown>;
}

export interface SingerCatalogStream {
  tap_stream_id: string;
  stream: string;
  schema: JsonSchema;
  metadata: MetadataEntry[];
  [key: string]: unknown;
}

export function encodeSingerCatalog(definitions: StreamDefinition[]): { streams: SingerCatalogStream[] } {
  return {
    streams: definitions.map((d) => {
      const automatic = new Set([...d.keyProperties, ...(d.replicationKey ? [d.replicationKey] : [])]);
      const root: Record<string, unknown> = {
        inclusion: 'available',
        'selected-by-default': false,
        'table-key-properties': d.keyProperties,
        'valid-replication-keys': d.validReplicationKeys,
        'replication-method': d.replicationKey ? 'INCREMENTAL' : 'FULL_TABLE',
        ...(d.replicationKey ? { 'replication-key': d.replicationKey } : { 'forced-replication-method': 'FULL_TABLE' }),
        'tap-salesforce.bulk-supported': d.bulkSupported,
      };
      return {
        tap_stream_id: d.name,
        stream: d.name,
        schema: d.schema,
        metadata: [
          { breadcrumb: [], metadata: root },
          ...d.fields.map((f) => ({
            breadcrumb: ['properties', f.name],
            metadata: {
              inclusion: automatic.has(f.name) ? 'automatic' : 'available',
              'selected-by-default': true,
              'sf-type': f.sfType,
              ...(f.calculated ? { 'tap-salesforce.calculated': true } : {}),
              ...(f.formula !== undefined ? { 'tap-salesforce.formula': f.formula } : {}),
            },
          })),
        ],
      };
    }),
  };
}

const truthy = (v: unknown) => v === true || v === 'true' || v === 'True';
const falsy = (v: unknown) => v === false || v === 'false' || v === 'False';

/** The streams and fields a Singer catalog selects. */
export function parseSingerCatalog(raw: unknown, options: { selectFieldsByDefault: boolean }): StreamChoice[] {
  const streams = (raw as { streams?: unknown } | null)?.streams;
  if (!Array.isArray(streams)) throw new ConfigError('TAP_CATALOG_INVALID', 'Expected the catalog to be an object with a `streams` array.');
  const choices: StreamChoice[] = [];
  streams.forEach((s: unknown, i) => {
    const stream = s as Partial<SingerCatalogStream> & { schema?: { selected?: unknown; properties?: Record<string, { selected?: unknown }> } };
    const id = stream?.tap_stream_id ?? stream?.stream;
    if (typeof id !== 'string') throw new ConfigError('TAP_CATALOG_INVALID', `Expected \`streams[${i}].tap_stream_id\` to be a string.`);
    if (stream.metadata !== undefined && !Array.isArray(stream.metadata)) {
      throw new ConfigError('TAP_CATALOG_INVALID', `Expected \`streams[${i}].metadata\` (stream ${id}) to be a list of {breadcrumb, metadata} entries, got ${typeof stream.metadata}.`);
    }
    const metadata = stream.metadata ?? [];
    const root = metadata.find((m) => Array.isArray(m?.breadcrumb) && m.breadcrumb.length === 0)?.metadata ?? {};
    const selected = root.selected ?? stream.schema?.selected;
    if (!truthy(selected)) return;
    const fieldMeta = new Map(metadata.filter((m) => m?.breadcrumb?.length === 2).map((m) => [m.breadcrumb[1]!, m.metadata ?? {}]));
    // The schema governs: a property removed from it is not sent, whatever its metadata says.
    const properties = stream.schema?.properties;
    const governed = properties !== undefined && properties !== null && typeof properties === 'object' && Object.keys(properties).length > 0;
    const names = new Set(governed ? Object.keys(properties) : fieldMeta.keys());
    const fields = [...names].filter((name) => {
      const meta = fieldMeta.get(name) ?? {};
      if (meta.inclusion === 'automatic') return true;
      if (meta.inclusion === 'unsupported') return false;
      const opinion = meta.selected ?? stream.schema?.properties?.[name]?.selected;
      if (truthy(opinion)) return true;
      if (falsy(opinion)) return false;
      return options.selectFieldsByDefault && meta['selected-by-default'] !== false;
    });
    for (const key of ['replication-method', 'forced-replication-method'] as const) {
      const value = root[key];
      if (value !== undefined && value !== 'FULL_TABLE' && value !== 'INCREMENTAL' && value !== 'LOG_BASED') {
        throw new ConfigError('TAP_CATALOG_INVALID', `Expected \`${key}\` of stream ${id} to be INCREMENTAL, LOG_BASED or FULL_TABLE, got \`${String(value)}\`.`);
      }
    }
    const method = root['replication-method'] === 'FULL_TABLE' || root['forced-replication-method'] === 'FULL_TABLE' ? 'FULL_TABLE' : root['replication-method'] === 'LOG_BASED' ? 'LOG_BASED' : 'INCREMENTAL';
    const key = root['replication-key'];
    const alias = stream.stream_alias;
    if (alias !== undefined && alias !== null && (typeof alias !== 'string' || alias === '')) {
      throw new ConfigError('TAP_CATALOG_INVALID', `Expected \`stream_alias\` of stream ${id} to be a non-empty string, got ${JSON.stringify(alias)}.`);
    }
    choices.push({
      name: id,
      fields,
      method,
      ...(typeof key === 'string' && key ? { replicationKey: key } : {}),
      ...(typeof alias === 'string' ? { alias } : {}),
      ...(governed ? { schemas: properties as Record<string, unknown> } : {}),
    });
  });
  return choices;
}
