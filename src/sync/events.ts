/**
 * What a sync produces, independent of Singer and Airbyte. The protocol encoders turn these into
 * wire messages; nothing in sync/ knows either protocol.
 */
import type { TapError } from '../core/errors.js';
import type { SelectedStream } from '../catalog/types.js';
import type { Tombstone } from './tombstones.js';

/**
 * One stream's resumable position. A bookmark covers every record emitted before the state
 * event that carries it.
 */
export interface StreamBookmark {
  /** The replication key the value belongs to (SystemModstamp, ...). */
  replicationKey?: string | undefined;
  /** ISO-8601 UTC: every row with key < value has been emitted. */
  value?: string;
  /** Full-table streams: the last full pass finished. */
  complete?: boolean;
  /** ISO-8601 UTC: getDeleted covered every delete before this (the next run's range starts here). */
  deletesCoveredUntil?: string;
  /** ISO-8601 UTC: when the stream's formula values were last read in full (`formula_fields: refresh`). */
  formulasRefreshedAt?: string;
  /**
   * LOG_BASED streams: the last processed change event's replay id (base64; empty: a position
   * taken before the topic had any event). `value` then is the SystemModstamp the query-based
   * catch-up starts from when the replay id can no longer be used.
   */
  replayId?: string;
}

/**
 * Records of one stream. `objects` hold typed records; `json` holds the records already
 * serialized (the fast path), one JSON object per line, each line ending in '\n'; `framed`: each
 * line is already a whole protocol message (the record inside its RecordEnvelope).
 */
export interface RecordBatch {
  count: number;
  objects?: Record<string, unknown>[] | undefined;
  json?: Buffer;
  framed?: boolean;
}

/**
 * The protocol's message around one record of a stream: `prefix` + record JSON + `suffix()`
 * (no line break). The fast path writes it as it serializes, so records are not copied again;
 * `suffix()` is called once per batch (it may hold a timestamp).
 */
export interface RecordEnvelope {
  prefix: string;
  suffix(): string;
}

export type StreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export type SyncEvent =
  | { kind: 'schema'; stream: SelectedStream }
  | { kind: 'records'; stream: string; batch: RecordBatch }
  /** Rows that left the org; the encoders write them as records with the protocol's deleted-at column. */
  | { kind: 'tombstones'; stream: string; tombstones: Tombstone[] }
  | { kind: 'state'; stream: string; bookmark: StreamBookmark }
  | { kind: 'status'; stream: string; status: StreamStatus }
  | { kind: 'estimate'; stream: string; rows: number }
  | { kind: 'error'; stream?: string; error: TapError }
  | { kind: 'log'; level: LogLevel; message: string };
