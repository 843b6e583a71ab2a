/**
 * Every failure the tap reports is a TapError: a stable `code` tests and users can match on, a
 * message that says what to do, and a `kind` that decides the exit code and Airbyte failure_type
 * through one table (ERROR_KINDS). Salesforce error codes keep their own names behind `SF_`;
 * ours start with `TAP_`.
 */
import { errorCodeInfo } from './error-codes.js';

export type FailureType = 'config_error' | 'system_error' | 'transient_error';

export type ErrorKind =
  /** The user must change the config, catalog, state or arguments. */
  | 'config'
  /** Salesforce refused the credentials or the connected app. */
  | 'auth'
  /** Salesforce answered with an error that retrying will not fix. */
  | 'salesforce'
  /** The org's API quota (or the configured share of it) is used up. */
  | 'quota'
  /** Network trouble, 5xx, timeouts: retries were exhausted, a later run may succeed. */
  | 'transient'
  /** SIGINT / SIGTERM. */
  | 'interrupted'
  /** stdout was closed by the reader (the target died). */
  | 'output_closed'
  /** A bug or an unexpected state in the tap itself. */
  | 'internal';

export interface ErrorKindInfo {
  exitCode: number;
  failureType: FailureType;
}

/** The one table from error kind to exit code and Airbyte failure_type (README "Exit codes"). */
export const ERROR_KINDS: Readonly<Record<ErrorKind, ErrorKindInfo>> = {
  internal: { exitCode: 1, failureType: 'system_error' },
  quota: { exitCode: 2, failureType: 'transient_error' },
  config: { exitCode: 3, failureType: 'config_error' },
  auth: { exitCode: 4, failureType: 'config_error' },
  salesforce: { exitCode: 5, failureType: 'system_error' },
  transient: { exitCode: 6, failureType: 'transient_error' },
  output_closed: { exitCode: 141, failureType: 'system_error' },
  interrupted: { exitCode: 130, failureType: 'transient_error' },
};

/** Exit code when the run finished but at least one stream was INCOMPLETE. */
export const EXIT_PARTIAL = 7;
export const EXIT_SIGTERM = 143;
export const EXIT_SIGINT = 130;

export interface TapErrorOptions {
  kind?: ErrorKind;
  cause?: unknown;
  /** Extra context for logs (redacted before it is printed); never shown as the headline. */
  detail?: string | undefined;
  /** The stream the failure belongs to, when it is not global. */
  stream?: string;
  /** Whether the HTTP layer may retry the request that produced it. */
  retryable?: boolean;
}

export class TapError extends Error {
  readonly code: string;
  readonly kind: ErrorKind;
  readonly detail: string | undefined;
  readonly stream: string | undefined;
  readonly retryable: boolean;

  constructor(code: string, message: string, options: TapErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TapError';
    this.code = code;
    // A code's usual kind is data (core/error-codes.ts); a thrower may know better.
    this.kind = options.kind ?? errorCodeInfo(code)?.kind ?? 'internal';
    this.detail = options.detail;
    this.stream = options.stream;
    this.retryable = options.retryable ?? false;
  }

  get exitCode(): number {
    return ERROR_KINDS[this.kind].exitCode;
  }

  get failureType(): FailureType {
    return ERROR_KINDS[this.kind].failureType;
  }
}

/** A config, catalog, state or argument problem: exit 3, Airbyte `config_error`. */
export class ConfigError extends TapError {
  constructor(code: string, message: string, options: Omit<TapErrorOptions, 'kind'> = {}) {
    super(code, message, { ...options, kind: 'config' });
    this.name = 'ConfigError';
  }
}

/** Wraps anything thrown into a TapError so the top level has one shape to report. */
export function toTapError(error: unknown): TapError {
  if (error instanceof TapError) return error;
  if (error instanceof Error) {
    return new TapError('TAP_INTERNAL', `Unexpected error: ${error.message}`, { kind: 'internal', cause: error });
  }
  return new TapError('TAP_INTERNAL', `Unexpected error: ${String(error)}`, { kind: 'internal' });
}
