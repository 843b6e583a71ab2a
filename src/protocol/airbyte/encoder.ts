/**
 * Sync events → Airbyte messages. Keeps each stream's record count since its previous STATE
 * (`sourceStats.recordCount`, exact) and never repeats a state unchanged after no records.
 */
import { secrets } from '../../core/secrets.js';
import type { SyncEncoder } from '../adapter.js';
import type { RecordEnvelope, SyncEvent } from '../../sync/events.js';
import { frameRecords } from '../record-framing.js';
import { buildEstimateTraceMessage, buildLogMessage, buildStreamStateMessage, buildStreamStatusTraceMessage, buildTapErrorTraceMessage, encodeAirbyteLine } from './messages.js';
import { encodeAirbyteStreamState } from './state.js';

export class AirbyteEncoder implements SyncEncoder {
  readonly #counts = new Map<string, number>();
  readonly #lastState = new Map<string, string>();
  readonly #log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void;
  readonly #now: () => number;

  constructor(log: (level: 'debug' | 'info' | 'warn' | 'error', message: string) => void, now: () => number = Date.now) {
    this.#log = log;
    this.#now = now;
  }

  /** The RECORD message around a record of `stream`. */
  envelope(stream: string): RecordEnvelope {
    return { prefix: `{"type":"RECORD","record":{"stream":${JSON.stringify(stream)},"data":`, suffix: () => `,"emitted_at":${this.#now()}}}` };
  }

  encode(event: SyncEvent): string | Buffer | undefined {
    switch (event.kind) {
      case 'records': {
        this.#counts.set(event.stream, (this.#counts.get(event.stream) ?? 0) + event.batch.count);
        return frameRecords(event.batch, this.envelope(event.stream));
      }
      case 'state': {
        const count = this.#counts.get(event.stream) ?? 0;
        const blob = encodeAirbyteStreamState(event.bookmark);
        const key = JSON.stringify(blob);
        if (count === 0 && this.#lastState.get(event.stream) === key) return undefined;
        this.#lastState.set(event.stream, key);
        this.#counts.set(event.stream, 0);
        return encodeAirbyteLine(buildStreamStateMessage(event.stream, blob, count));
      }
      case 'status':
        return encodeAirbyteLine(buildStreamStatusTraceMessage(event.stream, event.status));
      case 'estimate':
        return encodeAirbyteLine(buildEstimateTraceMessage(event.stream, { rows: event.rows }));
      case 'error':
        this.#log('error', `${event.stream ? `${event.stream}: ` : ''}${secrets.redact(event.error.message)} [${event.error.code}]`);
        return encodeAirbyteLine(buildTapErrorTraceMessage(event.error, event.stream ? { stream: event.stream } : {}));
      case 'log':
        this.#log(event.level, event.message);
        return event.level === 'debug' ? undefined : encodeAirbyteLine(buildLogMessage(event.level === 'warn' ? 'WARN' : event.level === 'error' ? 'ERROR' : 'INFO', secrets.redact(event.message)));
      case 'schema':
        return undefined;
    }
  }
}
