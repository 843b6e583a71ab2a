/**
 * Bookmark logic as small pure functions. An incremental stream is read in half-open windows
 * `[start, end)` on its replication key: from the bookmark minus the lookback (else the start
 * date, else the first row's time), up to the moment the sync started — never later, so a row
 * committed during the run is read by the next one instead of being skipped.
 */
import type { SyncWindow } from '../sync/read-apis.js';

export interface WindowPlanInput {
  /** ISO UTC: every row with key < bookmark was emitted by an earlier run. */
  bookmark?: string;
  startDate?: string;
  /** When neither bookmark nor start date says: the earliest key value in the object. */
  earliest?: string;
  lookbackSeconds: number;
  syncStart: Date;
  /** Optional upper bound before the sync start (backfills). */
  endDate?: string;
  windowSeconds: number;
}

export function planWindows(input: WindowPlanInput): SyncWindow[] {
  const end = Math.min(input.syncStart.getTime(), input.endDate ? Date.parse(input.endDate) : Infinity);
  let start: number;
  if (input.bookmark) start = Date.parse(input.bookmark) - input.lookbackSeconds * 1000;
  else if (input.startDate) start = Date.parse(input.startDate);
  else if (input.earliest) start = Date.parse(input.earliest);
  else return [];
  if (!(start < end)) return [];
  const step = Math.max(1, input.windowSeconds) * 1000;
  const windows: SyncWindow[] = [];
  for (let a = start; a < end; a += step) {
    windows.push({ start: new Date(a).toISOString(), end: new Date(Math.min(a + step, end)).toISOString() });
  }
  return windows;
}

/** Halves a window, or undefined when a half would be shorter than `minSeconds`. */
export function splitWindow(window: SyncWindow, minSeconds: number): [SyncWindow, SyncWindow] | undefined {
  const a = Date.parse(window.start);
  const b = Date.parse(window.end);
  if ((b - a) / 2 < minSeconds * 1000) return undefined;
  const mid = new Date(Math.floor(a + (b - a) / 2)).toISOString();
  return [{ start: window.start, end: mid }, { start: mid, end: window.end }];
}

/** `2024-01-02T03:04:05.000+0000`, `…+00:00`, `…Z` and dates → ISO UTC with ms, or undefined. */
export function normalizeTimestamp(value: unknown): string | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const fixed = value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(fixed);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
