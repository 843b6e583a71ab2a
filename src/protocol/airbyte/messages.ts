/**
 * Airbyte wire shapes (protocol v0.18, shared/specs/airbyte_protocol.yaml) and pure builders for
 * every message a source emits. Only the payload key matching `type` is ever set (the envelope's
 * other keys are left out, not null). `emitted_at` is wall-clock epoch ms: an integer on RECORD
 * (CAT's sequential-read test compares them across runs), a number on TRACE and CONTROL.
 */
import type { FailureType, TapError } from '../../core/errors.js';
import { secrets } from '../../core/secrets.js';

export interface AirbyteStreamDescriptor {
  name: string;
  namespace?: string;
}

export interface AirbyteRecord {
  stream: string;
  data: Record<string, unknown>;
  emitted_at: number;
  namespace?: string;
}

export interface AirbyteStreamStateMessage {
  type: 'STREAM';
  stream: { stream_descriptor: AirbyteStreamDescriptor; stream_state: Record<string, unknown> };
  sourceStats: { recordCount: number };
}

export type AirbyteLogLevel = 'FATAL' | 'ERROR' | 'WARN' | 'INFO' | 'DEBUG' | 'TRACE';

export interface AirbyteLog {
  level: AirbyteLogLevel;
  message: string;
  stack_trace?: string;
}

/** `ConnectorSpecification`; the connection spec is the config JSON Schema. */
export interface AirbyteSpec {
  connectionSpecification: Record<string, unknown>;
  documentationUrl?: string;
  changelogUrl?: string;
  protocol_version?: string;
  advanced_auth?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface AirbyteConnectionStatus {
  status: 'SUCCEEDED' | 'FAILED';
  message?: string;
}

/** `AirbyteCatalog`: its streams are built by the catalog encoder. */
export interface AirbyteCatalog {
  streams: Record<string, unknown>[];
}

export interface AirbyteErrorTrace {
  message: string;
  internal_message?: string;
  stack_trace?: string;
  failure_type?: FailureType;
  stream_descriptor?: AirbyteStreamDescriptor;
}

export interface AirbyteEstimateTrace {
  name: string;
  type: 'STREAM' | 'SYNC';
  namespace?: string;
  row_estimate?: number;
  byte_estimate?: number;
}

export type AirbyteStreamStatus = 'STARTED' | 'RUNNING' | 'COMPLETE' | 'INCOMPLETE';

export interface AirbyteStreamStatusReason {
  type: 'RATE_LIMITED';
  rate_limited?: { quota_reset?: number };
}

export interface AirbyteStreamStatusTrace {
  stream_descriptor: AirbyteStreamDescriptor;
  status: AirbyteStreamStatus;
  reasons?: AirbyteStreamStatusReason[];
}

export type AirbyteTrace =
  | { type: 'ERROR'; emitted_at: number; error: AirbyteErrorTrace }
  | { type: 'ESTIMATE'; emitted_at: number; estimate: AirbyteEstimateTrace }
  | { type: 'STREAM_STATUS'; emitted_at: number; stream_status: AirbyteStreamStatusTrace };

export interface AirbyteControl {
  type: 'CONNECTOR_CONFIG';
  emitted_at: number;
  connectorConfig: { config: Record<string, unknown> };
}

export type AirbyteMessage =
  | { type: 'RECORD'; record: AirbyteRecord }
  | { type: 'STATE'; state: AirbyteStreamStateMessage }
  | { type: 'LOG'; log: AirbyteLog }
  | { type: 'SPEC'; spec: AirbyteSpec }
  | { type: 'CONNECTION_STATUS'; connectionStatus: AirbyteConnectionStatus }
  | { type: 'CATALOG'; catalog: AirbyteCatalog }
  | { type: 'TRACE'; trace: AirbyteTrace }
  | { type: 'CONTROL'; control: AirbyteControl };

export type AirbyteMessageType = AirbyteMessage['type'];

function descriptor(name: string, namespace?: string): AirbyteStreamDescriptor {
  return namespace === undefined ? { name } : { name, namespace };
}

export function buildRecordMessage(
  stream: string,
  data: Record<string, unknown>,
  emittedAt: number = Date.now(),
  namespace?: string,
): AirbyteMessage {
  const record: AirbyteRecord = { stream, data, emitted_at: Math.trunc(emittedAt) };
  if (namespace !== undefined) record.namespace = namespace;
  return { type: 'RECORD', record };
}

/**
 * A per-stream STATE. `recordCount` is the number of this stream's RECORDs emitted since its
 * previous STATE (CAT sums them to pick resume points, so it must be exact). The blob is never
 * null: a null stream_state means "reset" to the platform, and the schema requires an object.
 */
export function buildStreamStateMessage(
  stream: string,
  streamState: Record<string, unknown>,
  recordCount: number,
  namespace?: string,
): AirbyteMessage {
  return {
    type: 'STATE',
    state: {
      type: 'STREAM',
      stream: { stream_descriptor: descriptor(stream, namespace), stream_state: streamState },
      sourceStats: { recordCount },
    },
  };
}

/** The message text is redacted: a LOG line is as public as stderr. */
export function buildLogMessage(level: AirbyteLogLevel, message: string, stackTrace?: string): AirbyteMessage {
  const log: AirbyteLog = { level, message: secrets.redact(message) };
  if (stackTrace !== undefined) log.stack_trace = secrets.redact(stackTrace);
  return { type: 'LOG', log };
}

export function buildSpecMessage(spec: AirbyteSpec): AirbyteMessage {
  return { type: 'SPEC', spec };
}

export function buildConnectionStatusMessage(status: 'SUCCEEDED' | 'FAILED', message?: string): AirbyteMessage {
  const connectionStatus: AirbyteConnectionStatus = { status };
  if (message !== undefined) connectionStatus.message = secrets.redact(message);
  return { type: 'CONNECTION_STATUS', connectionStatus };
}

export function buildCatalogMessage(catalog: AirbyteCatalog): AirbyteMessage {
  return { type: 'CATALOG', catalog };
}

export function buildErrorTraceMessage(error: AirbyteErrorTrace, emittedAt: number = Date.now()): AirbyteMessage {
  return { type: 'TRACE', trace: { type: 'ERROR', emitted_at: emittedAt, error: secrets.redactDeep(error) } };
}

export interface ErrorTraceOptions {
  /** Overrides the error's own stream (per-stream failures reported by the sync). */
  stream?: string;
  namespace?: string;
  /** Include the redacted stack trace (the CDK always does; we do for internal errors and --debug). */
  withStack?: boolean;
  emittedAt?: number;
}

/** The ERROR trace for a TapError: failure_type from ERROR_KINDS, detail as internal_message. */
export function buildTapErrorTraceMessage(error: TapError, options: ErrorTraceOptions = {}): AirbyteMessage {
  const trace: AirbyteErrorTrace = { message: error.message, failure_type: error.failureType };
  const internal = error.detail === undefined ? error.code : `${error.code}: ${error.detail}`;
  trace.internal_message = internal;
  if (options.withStack ?? error.kind === 'internal') trace.stack_trace = secrets.describeError(error, true);
  const stream = options.stream ?? error.stream;
  if (stream !== undefined) trace.stream_descriptor = descriptor(stream, options.namespace);
  return buildErrorTraceMessage(trace, options.emittedAt);
}

export function buildEstimateTraceMessage(
  stream: string,
  estimate: { rows?: number; bytes?: number; namespace?: string },
  emittedAt: number = Date.now(),
): AirbyteMessage {
  const body: AirbyteEstimateTrace = { name: stream, type: 'STREAM' };
  if (estimate.namespace !== undefined) body.namespace = estimate.namespace;
  if (estimate.rows !== undefined) body.row_estimate = Math.trunc(estimate.rows);
  if (estimate.bytes !== undefined) body.byte_estimate = Math.trunc(estimate.bytes);
  return { type: 'TRACE', trace: { type: 'ESTIMATE', emitted_at: emittedAt, estimate: body } };
}

export function buildStreamStatusTraceMessage(
  stream: string,
  status: AirbyteStreamStatus,
  options: { namespace?: string; reasons?: AirbyteStreamStatusReason[]; emittedAt?: number } = {},
): AirbyteMessage {
  const body: AirbyteStreamStatusTrace = { stream_descriptor: descriptor(stream, options.namespace), status };
  if (options.reasons !== undefined && options.reasons.length > 0) body.reasons = options.reasons;
  return { type: 'TRACE', trace: { type: 'STREAM_STATUS', emitted_at: options.emittedAt ?? Date.now(), stream_status: body } };
}

/**
 * Asks the platform to persist an updated config (a rotated refresh token). `config` must be the
 * whole config merged with the change, and must validate against the spec.
 */
export function buildConnectorConfigMessage(config: Record<string, unknown>, emittedAt: number = Date.now()): AirbyteMessage {
  return { type: 'CONTROL', control: { type: 'CONNECTOR_CONFIG', emitted_at: emittedAt, connectorConfig: { config } } };
}

/** One stdout line: JSON, no inner newlines (JSON.stringify escapes them), '\n'-terminated. */
export function encodeAirbyteLine(message: AirbyteMessage): string {
  return `${JSON.stringify(message)}\n`;
}
