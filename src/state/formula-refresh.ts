/**
 * When a stream's formula values are due for a full re-read. A formula changes with its inputs
 * (on the row or across a lookup) without moving SystemModstamp, so an incremental read never
 * sees the change; with `formula_fields: refresh` a stream with selected formula fields is read
 * in full once per interval and its state records when.
 */

/**
 * A run scheduled once per interval starts a little earlier or later each time: a refresh 23h59m
 * ago must count as due for P1D, or every other nightly run would skip it and values would get
 * two days old. So the interval is shortened by a tenth, at most an hour.
 */
export function refreshSlackSeconds(intervalSeconds: number): number {
  return Math.min(intervalSeconds / 10, 3600);
}

/** True when the stream was never refreshed, or its last refresh is about `intervalSeconds` old or older. */
export function isFormulaRefreshDue(refreshedAt: string | undefined, intervalSeconds: number, syncStart: Date): boolean {
  if (refreshedAt === undefined) return true;
  const at = Date.parse(refreshedAt);
  if (Number.isNaN(at)) return true;
  return syncStart.getTime() - at >= (intervalSeconds - refreshSlackSeconds(intervalSeconds)) * 1000;
}
