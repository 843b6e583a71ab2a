/**
 * Sync events → Singer messages: SCHEMA (selected fields) before a stream's first RECORD, RECORDs
 * with `time_extracted`, and STATE whose value is the complete state of every stream. Statuses,
 * estimates and errors are stderr log lines.
 */
import { secrets } from '../../core/secrets.js';
import type { JsonSchema } from '../../catalog/types.js';
import type { StreamBookmark, SyncEvent } from '../../sync/events.js';
import { frameRecords } from '../record-framing.js';
import { buildSchemaMessage, buildStateMessage, encodeSingerLine } from './messages.js';
import { encodeSingerBookmark } from './state.js';

export class SingerEncoder {
  readonly #bookmarks: Map<string, StreamBookmark>;
  readonly #log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
  readonly #counts = new Map<string, number>();

  /** `initial`: the incoming state, so streams not synced this run keep their bookmarks. */
  constructor(initial: ReadonlyMap<string, StreamBookmark>, log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void) {
    this.#bookmarks = new Map(initial);
    this.#log = log;
  }

  encode(event: SyncEvent): string | Buffer | undefined {
    switch (event.kind) {
      case 'records': {
        this.#counts.set(event.stream, (this.#counts.get(event.stream) ?? 0) + event.batch.count);
        return frameRecords(event.batch, `{"type":"RECORD","stream":${JSON.stringify(event.stream)},"record":`, `,"time_extracted":"${new Date().toISOString()}"}`);
      }
      case 'schema': {
        const { definition, fields } = event.stream;
        const properties: Record<string, JsonSchema> = {};
        const wanted = new Set(fields);
        for (const f of definition.fields) if (wanted.has(f.name)) properties[f.name] = f.schema;
        return encodeSingerLine(buildSchemaMessage(definition.name, { type: 'object', properties }, definition.keyProperties, event.stream.replicationKey ? [event.stream.replicationKey] : undefined));
      }
      case 'state': {
        this.#bookmarks.set(event.stream, event.bookmark);
        const bookmarks: Record<string, unknown> = {};
        for (const [name, b] of this.#bookmarks) bookmarks[name] = encodeSingerBookmark(b);
        return encodeSingerLine(buildStateMessage({ bookmarks }));
      }
      case 'status':
        this.#log(event.status === 'INCOMPLETE' ? 'warn' : 'info', `${event.stream}: ${event.status.toLowerCase()}${event.status === 'COMPLETE' ? ` (${this.#counts.get(event.stream) ?? 0} records)` : ''}`);
        return undefined;
      case 'estimate':
        this.#log('debug', `${event.stream}: about ${event.rows} rows`);
        return undefined;
      case 'error':
        this.#log('error', `${event.stream ? `${event.stream}: ` : ''}${secrets.redact(event.error.message)} [${event.error.code}]`);
        return undefined;
      case 'log':
        this.#log(event.level, event.message);
        return undefined;
    }
  }
}
