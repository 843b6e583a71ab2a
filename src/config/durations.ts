/**
 * ISO-8601 durations (`P30D`, `PT10M`, `P1Y2M`) and plain second counts, as users of the Airbyte
 * (`stream_slice_step`, `lookback_window`) and Singer (`lookback_window: 600`) taps write them.
 * Calendar units are fixed lengths (a year is 365 days, a month 30): windows and lookbacks only
 * need to be about right, and fixed lengths keep window boundaries reproducible.
 */

const DURATION = /^P(?!$)(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;
const UNIT_SECONDS = [365 * 86_400, 30 * 86_400, 7 * 86_400, 86_400, 3_600, 60, 1] as const;

/** Seconds in `text` (an ISO-8601 duration or a whole number of seconds); undefined if neither. */
export function parseDurationSeconds(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const match = DURATION.exec(trimmed.toUpperCase());
  if (!match) return undefined;
  let seconds = 0;
  UNIT_SECONDS.forEach((unit, i) => {
    const part = match[i + 1];
    if (part !== undefined) seconds += Number(part) * unit;
  });
  return seconds;
}
