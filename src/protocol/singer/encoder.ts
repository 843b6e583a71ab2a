/**
 * Sync events → Singer messages: SCHEMA (selected fields) before a stream's first RECORD, RECORDs
 * with `time_extracted`, and STATE whose value is the complete state of every stream. Estimates
 * and errors are stderr log lines (stream statuses are logged by the read command, for both protocols).
 */
import { secrets } from '../../core/secrets.js';
import type { JsonSchema } from '../../catalog/types.js';
import type { RecordEnvelope, StreamBookmark, SyncEvent } from '../../sync/events.js';
import type { SyncEncoder } from '../adapter.js';
import { frameRecords } from '../record-framing.js';
import { buildSchemaMessage, buildStateMessage, encodeSingerLine } from './messages.js';
import { encodeMetric } from './metrics.js';

import { encodeSingerBookmark } from './state.js';

/** Record counters go out at least this often while a stream runs, and when it ends. */
const METRIC_INTERVAL_MS = 30_000;

export class SingerEncoder implements SyncEncoder {
  readonly #bookmarks: Map<string, StreamBookmark>;
  readonly #log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
  /** Records counted since the stream's last METRIC line (singer-python counters reset too). */
  readonly #unreported = new Map<string, { count: number; since: number }>();
  readonly #now: () => number;

  /** `initial`: the incoming state, so streams not synced this run keep their bookmarks. */
  constructor(initial: ReadonlyMap<string, StreamBookmark>, log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void, now: () => number = Date.now) {
    this.#bookmarks = new Map(initial);
    this.#log = log;
    this.#now = now;
  }

  #countRecords(stream: string, count: number, final: boolean): void {
    const pending = this.#unreported.get(stream) ?? { count: 0, since: this.#now() };
    pending.count += count;
    this.#unreported.set(stream, pending);
    if (final || this.#now() - pending.since >= METRIC_INTERVAL_MS) {
      this.#log('info', encodeMetric({ type: 'counter', metric: 'record_count', value: pending.count, tags: { endpoint: stream } }));
      this.#unreported.set(stream, { count: 0, since: this.#now() });
    }
  }

  /** The RECORD message around a record of `stream`. */
  envelope(stream: string): RecordEnvelope {
    return { prefix: `{"type":"RECORD","stream":${JSON.stringify(stream)},"record":`, suffix: () => `,"time_extracted":"${new Date(this.#now()).toISOString()}"}` };
  }

  encode(event: SyncEvent): string | Buffer | undefined {
    switch (event.kind) {
      case 'records': {
        this.#countRecords(event.stream, event.batch.count, false);
        return frameRecords(event.batch, this.envelope(event.stream));
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
        if (event.status === 'COMPLETE' || event.status === 'INCOMPLETE') this.#countRecords(event.stream, 0, true);
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
