/**
 * Progress for people, on stderr only. On a terminal: one live line per stream (rows, rate, ETA
 * when the total is known), redrawn at most five times a second, with log lines printed above
 * it. Elsewhere: one summary line per running stream every 30 seconds, so a log file still
 * shows a long sync moving.
 */
import { createLogUpdate } from 'log-update';
import type { Writable } from 'node:stream';

export type ProgressMode = 'tty' | 'log' | 'off';

export interface Progress {
  streamStarted(name: string): void;
  records(name: string, count: number): void;
  /** Rows the stream is expected to have (Salesforce's count). */
  estimate(name: string, rows: number): void;
  streamEnded(name: string, status: 'COMPLETE' | 'INCOMPLETE'): void;
  /** Writes log text without tearing the live lines. */
  interleave(write: () => void): void;
  close(): void;
}

interface StreamProgress {
  rows: number;
  estimate?: number;
  startedAt: number;
  endedAt?: number;
  status?: 'COMPLETE' | 'INCOMPLETE';
}

export interface ProgressOptions {
  mode: ProgressMode;
  /** The terminal (tty mode). */
  stderr?: Writable & { columns?: number };
  /** Info log line (log mode). */
  log?: (message: string) => void;
  now?: () => number;
  /** Redraw (tty) or summary (log) interval. */
  intervalMs?: number;
}

const number = new Intl.NumberFormat('en-US');

function duration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

/** One stream's line: `Account  12,345 / 25,000 rows  49%  8,123 rows/s  ETA 2s`. */
export function renderStreamLine(name: string, p: StreamProgress, now: number, nameWidth: number): string {
  const seconds = ((p.endedAt ?? now) - p.startedAt) / 1000;
  const rate = seconds > 0 ? p.rows / seconds : 0;
  const label = name.padEnd(nameWidth);
  if (p.status) {
    return `${label}  ${number.format(p.rows)} rows  ${p.status === 'COMPLETE' ? 'done' : 'INCOMPLETE'} in ${duration(seconds)}${seconds > 0 ? ` (${number.format(Math.round(rate))} rows/s)` : ''}`;
  }
  if (p.estimate !== undefined && p.estimate > 0) {
    const share = Math.min(100, Math.floor((p.rows / p.estimate) * 100));
    const eta = rate > 0 ? duration((p.estimate - p.rows) / rate) : '?';
    return `${label}  ${number.format(p.rows)} / ${number.format(p.estimate)} rows  ${share}%  ${number.format(Math.round(rate))} rows/s  ETA ${eta}`;
  }
  return `${label}  ${number.format(p.rows)} rows  ${number.format(Math.round(rate))} rows/s`;
}

export function createProgress(options: ProgressOptions): Progress {
  const now = options.now ?? Date.now;
  const streams = new Map<string, StreamProgress>();
  const stream = (name: string) => {
    let p = streams.get(name);
    if (!p) {
      p = { rows: 0, startedAt: now() };
      streams.set(name, p);
    }
    return p;
  };
  const render = () => {
    const width = Math.min(40, Math.max(0, ...[...streams.keys()].map((n) => n.length)));
    return [...streams].map(([name, p]) => renderStreamLine(name, p, now(), width)).join('\n');
  };

  if (options.mode === 'off') {
    return { streamStarted: () => {}, records: () => {}, estimate: () => {}, streamEnded: () => {}, interleave: (write) => write(), close: () => {} };
  }

  let dirty = false;
  let timer: NodeJS.Timeout | undefined;
  const base = {
    streamStarted: (name: string) => {
      stream(name);
      dirty = true;
    },
    records: (name: string, count: number) => {
      stream(name).rows += count;
      dirty = true;
    },
    estimate: (name: string, rows: number) => {
      stream(name).estimate = rows;
      dirty = true;
    },
    streamEnded: (name: string, status: 'COMPLETE' | 'INCOMPLETE') => {
      const p = stream(name);
      p.status = status;
      p.endedAt = now();
      dirty = true;
    },
  };

  if (options.mode === 'tty') {
    const out = options.stderr!;
    const update = createLogUpdate(out, { showCursor: true });
    const intervalMs = options.intervalMs ?? 200;
    let drawnAt = -Infinity;
    const draw = () => {
      if (!dirty || streams.size === 0) return;
      dirty = false;
      drawnAt = now();
      update(render());
    };
    timer = setInterval(draw, intervalMs);
    timer.unref();
    return {
      ...base,
      interleave: (write) => {
        update.clear();
        write();
        dirty = true;
        // A burst of log lines must not redraw the block for each one: the timer catches up.
        if (now() - drawnAt >= intervalMs) draw();
      },
      close: () => {
        clearInterval(timer);
        dirty = true;
        draw();
        update.done();
      },
    };
  }

  // Log mode: one line per running stream, at a slow pace.
  timer = setInterval(() => {
    for (const [name, p] of streams) {
      if (!p.status) options.log?.(`Progress: ${renderStreamLine(name, p, now(), 0).replace(/\s{2,}/g, ' ').trim()}`);
    }
  }, options.intervalMs ?? 30_000);
  timer.unref();
  return { ...base, interleave: (write) => write(), close: () => clearInterval(timer) };
}
