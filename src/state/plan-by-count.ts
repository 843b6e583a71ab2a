/**
 * Windows planned from the data, not the calendar: a range is split in halves until each piece
 * holds at most `windowRows` rows (one COUNT() per split: the right half's count is the rest),
 * empty pieces cost no job, and neighbouring pieces are merged back while they fit. The windows
 * still tile the range exactly (an empty stretch joins the window before it), so each window's
 * end is a safe bookmark.
 */
import type { SyncWindow } from '../sync/read-apis.js';

export interface CountedWindow extends SyncWindow {
  /** Rows counted in the window when it was planned. */
  rows: number;
}

export interface CountPlanOptions {
  windowRows: number;
  /** Pieces shorter than this are not split further, whatever they hold. */
  minWindowSeconds: number;
}

function midpoint(window: SyncWindow): string | undefined {
  const a = Date.parse(window.start);
  const b = Date.parse(window.end);
  // Whole seconds: SOQL datetime literals have no milliseconds.
  const mid = Math.floor((a + (b - a) / 2) / 1000) * 1000;
  return mid > a && mid < b ? new Date(mid).toISOString() : undefined;
}

/** Non-empty pieces of `window` (which holds `rows`), each within `windowRows` unless too short to split. */
async function pieces(window: SyncWindow, rows: number, count: (w: SyncWindow) => Promise<number>, options: CountPlanOptions): Promise<CountedWindow[]> {
  if (rows === 0) return [];
  const span = Date.parse(window.end) - Date.parse(window.start);
  const mid = midpoint(window);
  if (rows <= options.windowRows || !mid || span / 2 < options.minWindowSeconds * 1000) return [{ ...window, rows }];
  const left = { start: window.start, end: mid };
  const leftRows = await count(left);
  const right = { start: mid, end: window.end };
  return [...(await pieces(left, leftRows, count, options)), ...(await pieces(right, Math.max(0, rows - leftRows), count, options))];
}

/**
 * The windows of `range`, given its row count `total`: [] when it is empty. `count` counts the
 * rows of a sub-range.
 */
export async function planWindowsByCount(range: SyncWindow, total: number, count: (w: SyncWindow) => Promise<number>, options: CountPlanOptions): Promise<CountedWindow[]> {
  const found = await pieces(range, total, count, options);
  const merged: CountedWindow[] = [];
  for (const piece of found) {
    const last = merged.at(-1);
    if (last && last.rows + piece.rows <= options.windowRows) {
      last.end = piece.end;
      last.rows += piece.rows;
    } else merged.push({ ...piece });
  }
  // Tile the range: the first window starts at its start, each ends where the next starts.
  if (merged.length > 0) {
    merged[0]!.start = range.start;
    for (let i = 0; i + 1 < merged.length; i += 1) merged[i]!.end = merged[i + 1]!.start;
    merged.at(-1)!.end = range.end;
  }
  return merged;
}
