/**
 * The tap's logger: one line per entry on stderr, every line redacted through the secret
 * registry, filtered by level. stdout never carries logs.
 *
 * Airbyte mode does not mirror logs as LOG messages: the platform already captures the
 * container's stderr into the job log, mirroring would double every line there, and LOG lines
 * would interleave with (and slow) the record stream. Errors reach the platform as TRACE ERROR
 * messages, which is what its UI shows.
 */
import type { LogLevel } from '../sync/events.js';
import { secrets } from '../core/secrets.js';

export type { LogLevel };

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  readonly level: LogLevel;
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  log(level: LogLevel, message: string): void;
  isEnabled(level: LogLevel): boolean;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; defaults to nothing (tests) — the CLI passes process.stderr. */
  write?: (line: string) => void;
  /** Prefix timestamps (ISO-8601 UTC) to each line. */
  timestamps?: boolean;
  now?: () => Date;
}

export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (v === 'warning') return 'warn';
  return v === 'debug' || v === 'info' || v === 'warn' || v === 'error' ? v : undefined;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? 'info';
  const threshold = LEVEL_RANK[level];
  const write = options.write ?? ((): void => {});
  const timestamps = options.timestamps ?? true;
  const now = options.now ?? ((): Date => new Date());
  const log = (lvl: LogLevel, message: string): void => {
    if (LEVEL_RANK[lvl] < threshold) return;
    const text = secrets.redact(message);
    const prefix = timestamps ? `${now().toISOString()} ${lvl.toUpperCase()} ` : `${lvl.toUpperCase()} `;
    // Keep one entry per line even when a message carries newlines (stack traces stay readable).
    write(`${prefix}${text.replace(/\n/g, '\n    ')}\n`);
  };
  return {
    level,
    debug: (m) => log('debug', m),
    info: (m) => log('info', m),
    warn: (m) => log('warn', m),
    error: (m) => log('error', m),
    log,
    isEnabled: (lvl) => LEVEL_RANK[lvl] >= threshold,
  };
}
