/**
 * What every command receives from the CLI (the composition root). Commands never touch
 * `process`: they write protocol messages through `out`, log through `logger`, stop when
 * `signal` aborts, and ask `client()` for an authenticated Salesforce client only when they need
 * one (so `spec` and config errors never open a connection).
 */
import type { TapConfig } from '../config/types.js';
import type { MessageWriter } from '../io/line-writer.js';
import type { Logger } from '../io/logger.js';
import type { Progress } from '../io/progress.js';
import type { ProtocolAdapter } from '../protocol/adapter.js';
import type { SalesforceClient } from '../salesforce/client.js';

export interface CommandContext {
  /** The output protocol: parsers of catalogs and states, and the encoders of every message. */
  protocol: ProtocolAdapter;
  config: TapConfig;
  /**
   * The authenticated client, created on the first call (the login happens then) and shared by
   * later calls. Login failures reject with auth/config TapErrors.
   */
  client(): Promise<SalesforceClient>;
  /** stdout: protocol lines only. */
  out: MessageWriter;
  /** stderr, redacted. */
  logger: Logger;
  /** Live progress for people (stderr); absent where nobody watches. */
  progress?: Progress;
  /** Aborted on SIGINT / SIGTERM; pass it to every request and wait. */
  signal: AbortSignal;
  /**
   * Persists config values that changed during the run (a rotated refresh token): Airbyte gets a
   * CONTROL CONNECTOR_CONFIG message with the merged config, Singer rewrites the config file when
   * `persist_rotated_refresh_token` is on. Keys are the user-facing config keys (`refresh_token`).
   */
  persistConfig(changes: Record<string, unknown>): Promise<void>;
  /** Shows redacted stack traces (`--debug` / TAP_SALESFORCE_DEBUG=1). */
  debug: boolean;
}

/** Options of `runRead`, resolved from the command line. */
export interface ReadCommandOptions {
  /** `--catalog` / `--properties`; absent for a Singer run without a catalog (default streams). */
  catalogPath?: string;
  statePath?: string;
  /** Singer `--follow`: change event streams keep streaming until interrupted. */
  follow?: boolean;
}
