/**
 * One object per output protocol, chosen once by the CLI: everything that differs between Singer
 * and Airbyte (how a catalog and a state file are read, how sync events, catalogs, connection
 * checks, errors and config updates become wire messages, where the config comes from) is a
 * member here, so commands never ask which protocol they speak.
 */
import type { StreamChoice } from '../catalog/select.js';
import type { SelectedStream, StreamDefinition } from '../catalog/types.js';
import type { TapError } from '../core/errors.js';
import type { LogLevel, RecordEnvelope, StreamBookmark, SyncEvent } from '../sync/events.js';

/** Where one piece of the config comes from: a JSON file, stdin (`-`), or the TAP_SALESFORCE_* environment. */
export type ConfigSource = { kind: 'file'; path: string } | { kind: 'stdin' } | { kind: 'env' };

/** `-` is stdin in both protocols; everything else a file path. */
export function fileOrStdin(value: string): ConfigSource {
  return value === '-' ? { kind: 'stdin' } : { kind: 'file', path: value };
}

export interface CatalogParseOptions {
  /** Singer catalogs: a field with no `selected` opinion is selected (`select_fields_by_default`). */
  selectFieldsByDefault: boolean;
}

/** Sync events → protocol lines. Stateful: it counts records and keeps the full state. */
export interface SyncEncoder {
  /** The RECORD message around a record of `stream` (the byte path writes into it). */
  envelope(stream: string): RecordEnvelope;
  /** The lines for one event, or nothing (events the protocol only logs). */
  encode(event: SyncEvent): string | Buffer | undefined;
}

export interface SyncEncoderOptions {
  /** The incoming state: streams not synced this run keep their bookmarks where the protocol sends the whole state. */
  bookmarks: ReadonlyMap<string, StreamBookmark>;
  log: (level: LogLevel, message: string) => void;
  /** Wall clock in epoch ms; tests pin it. */
  now?: () => number;
  /** The streams of the run, as the catalog selected them (aliases, schema overrides, methods). */
  streams: readonly SelectedStream[];
  /** Full-table streams announce their versions (Singer ACTIVATE_VERSION); the `activate_version` setting. */
  activateVersion: boolean;
}

/** One HTTP request the client made, as a metrics line reports it. */
export interface RequestTiming {
  method: string;
  url: string;
  status?: number;
  seconds: number;
}

export interface ProtocolAdapter {
  /** For log lines and the user: `Singer`, `Airbyte`. */
  readonly displayName: string;
  /** The `--config` values of the command line as sources (Singer reads `ENV` as the environment). */
  configSources(values: readonly string[]): ConfigSource[];
  /** A catalog file's selection; a ConfigError naming the problem otherwise. */
  parseCatalog(raw: unknown, options: CatalogParseOptions): StreamChoice[];
  /** A state file's bookmarks; `undefined` (empty file) and `null` are no state. What it cannot honour as written is told through `warn`. */
  parseState(raw: unknown, warn: (message: string) => void): Map<string, StreamBookmark>;
  createEncoder(options: SyncEncoderOptions): SyncEncoder;
  /** What discovery prints. */
  encodeCatalog(definitions: StreamDefinition[]): string;
  /** The connection check's answer, or undefined where the exit code is the answer (Singer). */
  encodeConnectionStatus(status: 'SUCCEEDED' | 'FAILED', message: string): string | undefined;
  /** The run's fatal error as a message, or undefined where the stderr line is all (Singer). */
  encodeErrorTrace(error: TapError, options: { withStack: boolean }): string | undefined;
  /** A changed config for the platform to store, or undefined where the tap rewrites its config file (Singer). */
  encodeConfigUpdate(config: Record<string, unknown>): string | undefined;
  /** A stderr line per HTTP request, where the protocol's tooling reads them (Singer METRIC timers). */
  encodeRequestLog?(request: RequestTiming): string;
}
