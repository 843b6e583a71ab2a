/**
 * Sync events → Singer messages: SCHEMA (selected fields, as the catalog's schema has them)
 * before a stream's first RECORD, RECORDs with `time_extracted`, STATE whose value is the
 * complete state of every stream, and for full-table streams ACTIVATE_VERSION with a `version` on
 * every record (singer-python's convention: a target drops rows of older versions once the new
 * version is activated). Messages carry the catalog's `stream_alias` where it has one; state is
 * kept under the stream's id, as singer-python taps keep it. Estimates and errors are stderr log
 * lines (stream statuses are logged by the read command, for both protocols).
 */
import { secrets } from '../../core/secrets.js';
import type { JsonSchema, SelectedStream, ValueCast } from '../../catalog/types.js';
import type { LogLevel, RecordEnvelope, StreamBookmark, SyncEvent } from '../../sync/events.js';
import type { SyncEncoder } from '../adapter.js';
import { toTombstoneRecord } from '../../sync/tombstones.js';
import { deletedAtSchema, SINGER_DELETED_AT } from '../deleted-at.js';
import { castBatch } from '../record-casts.js';
import { frameRecords } from '../record-framing.js';
import { buildActivateVersionMessage, buildSchemaMessage, buildStateMessage, encodeSingerLine } from './messages.js';
import { encodeMetric } from './metrics.js';
import { encodeSingerBookmark } from './state.js';

/** Record counters go out at least this often while a stream runs, and when it ends. */
const METRIC_INTERVAL_MS = 30_000;

export interface SingerEncoderOptions {
  /** The incoming state, so streams not synced this run keep their bookmarks. */
  bookmarks: ReadonlyMap<string, StreamBookmark>;
  log: (level: LogLevel, message: string) => void;
  now?: () => number;
  /** The streams of the run: their aliases, casts and replication methods. */
  streams?: readonly SelectedStream[];
  /** Send ACTIVATE_VERSION and record versions for full-table streams (the `activate_version` setting). */
  activateVersion?: boolean;
}

interface StreamPlan {
  alias: string;
  casts: (readonly [string, ValueCast])[];
  /** Full-table with versions: the version this run's records carry. */
  versioned: boolean;
  version?: number;
}

export class SingerEncoder implements SyncEncoder {
  readonly #bookmarks: Map<string, StreamBookmark>;
  readonly #initial: ReadonlyMap<string, StreamBookmark>;
  readonly #log: (level: LogLevel, message: string) => void;
  /** Records counted since the stream's last METRIC line (singer-python counters reset too). */
  readonly #unreported = new Map<string, { count: number; since: number }>();
  readonly #now: () => number;
  readonly #plans = new Map<string, StreamPlan>();

  constructor(options: SingerEncoderOptions) {
    this.#initial = options.bookmarks;
    this.#bookmarks = new Map(options.bookmarks);
    this.#log = options.log;
    this.#now = options.now ?? Date.now;
    for (const stream of options.streams ?? []) {
      this.#plans.set(stream.definition.name, {
        alias: stream.alias ?? stream.definition.name,
        casts: Object.entries(stream.overrides ?? {}).flatMap(([field, o]) => (o.cast === 'none' ? [] : [[field, o.cast] as const])),
        versioned: options.activateVersion !== false && stream.method === 'FULL_TABLE',
      });
    }
  }

  #plan(stream: string): StreamPlan {
    let plan = this.#plans.get(stream);
    if (!plan) this.#plans.set(stream, (plan = { alias: stream, casts: [], versioned: false }));
    return plan;
  }

  /** The version of a full-table stream's records this run: the time its first message was made. */
  #version(plan: StreamPlan): number | undefined {
    if (!plan.versioned) return undefined;
    plan.version ??= this.#now();
    return plan.version;
  }

  #countRecords(stream: string, count: number, final: boolean): void {
    const pending = this.#unreported.get(stream) ?? { count: 0, since: this.#now() };
    pending.count += count;
    this.#unreported.set(stream, pending);
    if (final || this.#now() - pending.since >= METRIC_INTERVAL_MS) {
      this.#log('info', encodeMetric({ type: 'counter', metric: 'record_count', value: pending.count, tags: { endpoint: this.#plan(stream).alias } }));
      this.#unreported.set(stream, { count: 0, since: this.#now() });
    }
  }

  /** The RECORD message around a record of `stream`. */
  envelope(stream: string): RecordEnvelope {
    const plan = this.#plan(stream);
    const version = this.#version(plan);
    const versionPart = version === undefined ? '' : `,"version":${version}`;
    return { prefix: `{"type":"RECORD","stream":${JSON.stringify(plan.alias)},"record":`, suffix: () => `${versionPart},"time_extracted":"${new Date(this.#now()).toISOString()}"}` };
  }

  encode(event: SyncEvent): string | Buffer | undefined {
    switch (event.kind) {
      case 'records': {
        this.#countRecords(event.stream, event.batch.count, false);
        const plan = this.#plan(event.stream);
        const batch = plan.casts.length === 0 ? event.batch : castBatch(event.batch, plan.casts, (message) => message.record as Record<string, unknown>);
        return frameRecords(batch, this.envelope(event.stream));
      }
      case 'tombstones': {
        this.#countRecords(event.stream, event.tombstones.length, false);
        const objects = event.tombstones.map((t) => toTombstoneRecord(t, SINGER_DELETED_AT));
        return frameRecords({ count: objects.length, objects }, this.envelope(event.stream));
      }
      case 'schema': {
        const { definition, fields, overrides } = event.stream;
        const plan = this.#plan(definition.name);
        const properties: Record<string, JsonSchema> = {};
        const wanted = new Set(fields);
        for (const f of definition.fields) if (wanted.has(f.name)) properties[f.name] = overrides?.[f.name]?.schema ?? f.schema;
        if (event.stream.tombstones) properties[SINGER_DELETED_AT] = deletedAtSchema();
        const schema = encodeSingerLine(buildSchemaMessage(plan.alias, { type: 'object', properties }, definition.keyProperties, event.stream.replicationKey ? [event.stream.replicationKey] : undefined));
        // A first full sync activates its version at once, so the target shows the table while it fills.
        const version = this.#version(plan);
        const first = version !== undefined && this.#initial.get(definition.name)?.complete !== true;
        return first ? schema + encodeSingerLine(buildActivateVersionMessage(plan.alias, version)) : schema;
      }
      case 'state': {
        this.#bookmarks.set(event.stream, event.bookmark);
        const bookmarks: Record<string, unknown> = {};
        for (const [name, b] of this.#bookmarks) bookmarks[name] = encodeSingerBookmark(b);
        const state = encodeSingerLine(buildStateMessage({ bookmarks }));
        // A finished full pass: rows of older versions are gone from Salesforce.
        const plan = this.#plan(event.stream);
        const version = event.bookmark.complete === true ? this.#version(plan) : undefined;
        return version === undefined ? state : encodeSingerLine(buildActivateVersionMessage(plan.alias, version)) + state;
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
