/**
 * Which deletes a run asks getDeleted for, as pure functions. Salesforce lists the rows deleted
 * in a range (`GET /sobjects/{Object}/deleted/?start=&end=`) for the last 30 days only; the reply
 * says how far it got (`latestDateCovered`, whole minutes) and since when it knows
 * (`earliestDateAvailable`). The next run starts where `latestDateCovered` ended, so every
 * delete is listed by exactly one run; a range that starts before what Salesforce keeps is a gap
 * nobody can cover, and the caller warns or re-reads the stream in full.
 */

/** A range of deletion times, ISO-8601 UTC: `start <= deletedDate <= end` as getDeleted reads it. */
export interface DeletedRange {
  start: string;
  end: string;
}

export interface DeletedRangePlan {
  /** What to ask getDeleted for; undefined when there is nothing to ask this run. */
  range?: DeletedRange;
  /** Deletes older than getDeleted's window: they cannot be listed any more. */
  gap?: DeletedRange;
}

export interface DeletedRangeInput {
  /** Where the previous run's getDeleted coverage ended (its `latestDateCovered`). */
  coveredUntil?: string | undefined;
  /**
   * The stream's replication bookmark: a stream synced before deletes were captured is covered
   * from there (its rows were read up to that point, deletes after it were not).
   */
  bookmark?: string | undefined;
  syncStart: Date;
  /** How far back getDeleted answers (30 days). */
  maxDays: number;
  /** Kept inside the window's edge: Salesforce drops seconds and the clocks differ a little. */
  marginSeconds: number;
}

const MINUTE_MS = 60_000;

/**
 * Plans one run's getDeleted call. No previous position (a first, full read): nothing to ask,
 * the read itself is current as of the sync start. Less than a minute since the last coverage:
 * nothing either (Salesforce covers whole minutes), the coverage simply carries over.
 */
export function planDeletedRange(input: DeletedRangeInput): DeletedRangePlan {
  const from = input.coveredUntil ?? input.bookmark;
  if (from === undefined) return {};
  const start = Date.parse(from);
  const end = input.syncStart.getTime();
  if (Number.isNaN(start) || end - start < MINUTE_MS) return {};
  const oldest = end - input.maxDays * 86_400_000 + input.marginSeconds * 1000;
  if (start >= oldest) return { range: { start: iso(start), end: iso(end) } };
  return { range: { start: iso(oldest), end: iso(end) }, gap: { start: iso(start), end: iso(oldest) } };
}

export interface DeletedCoverage {
  /** Where the next run starts. */
  coveredUntil: string;
  /** Part of the asked range Salesforce no longer knows (before `earliestDateAvailable`). */
  gap?: DeletedRange;
}

/** What a getDeleted reply covered of the range asked for. */
export function coverageOf(range: DeletedRange, reply: { earliestDateAvailable?: string | undefined; latestDateCovered?: string | undefined }): DeletedCoverage {
  const asked = Date.parse(range.start);
  const latest = parseSalesforceDate(reply.latestDateCovered);
  // No usable latestDateCovered: the range asked for is what the next run continues from.
  const coveredUntil = latest !== undefined && latest > asked ? iso(Math.min(latest, Date.parse(range.end))) : range.end;
  const earliest = parseSalesforceDate(reply.earliestDateAvailable);
  if (earliest !== undefined && earliest > asked) return { coveredUntil, gap: { start: range.start, end: iso(earliest) } };
  return { coveredUntil };
}

/** `2024-01-02T03:04:05.000+0000`, `…+00:00` or `…Z` → epoch ms. */
function parseSalesforceDate(value: string | undefined): number | undefined {
  if (typeof value !== 'string' || value === '') return undefined;
  const ms = Date.parse(value.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(ms) ? undefined : ms;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
