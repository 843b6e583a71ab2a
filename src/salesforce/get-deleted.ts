/**
 * getDeleted over REST: `GET /sobjects/{Object}/deleted/?start=&end=` lists the rows of one
 * object deleted in a range of the last 30 days (soft-deleted rows still in the recycle bin and
 * rows gone for good alike). Salesforce answers EXCEEDED_ID_LIMIT past 600,000 ids: the range is
 * then halved until each half fits.
 */
import { SalesforceApiError } from './client.js';

export interface DeletedRecord {
  id: string;
  /** As Salesforce writes it: `2024-01-02T03:04:05.000+0000`. */
  deletedDate: string;
}

export interface GetDeletedReply {
  deletedRecords: DeletedRecord[];
  earliestDateAvailable?: string;
  latestDateCovered?: string;
}

/** Ranges are not halved below this: a minute is getDeleted's own resolution. */
const MIN_SPLIT_MS = 2 * 60_000;

/** `2024-01-02T03:04:05+00:00`, the form Salesforce's documentation uses. */
function toParam(iso: string): string {
  return new Date(Date.parse(iso)).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

/** A GET of a REST resource under `/services/data/vXX.X/`: the client's own call, or a subrequest of a Composite request. */
export type RestGet = <T>(path: string, query: Record<string, string>, signal?: AbortSignal) => Promise<T>;

/** One getDeleted call; `calls` counts it (the caller reports how many a run made). */
export async function fetchDeleted(get: RestGet, sobject: string, range: { start: string; end: string }, options: { signal?: AbortSignal; onCall?: () => void } = {}): Promise<GetDeletedReply> {
  options.onCall?.();
  try {
    const reply = await get<GetDeletedReply>(`sobjects/${encodeURIComponent(sobject)}/deleted/`, { start: toParam(range.start), end: toParam(range.end) }, options.signal);
    return { ...reply, deletedRecords: Array.isArray(reply?.deletedRecords) ? reply.deletedRecords : [] };
  } catch (error) {
    const a = Date.parse(range.start);
    const b = Date.parse(range.end);
    if (!(error instanceof SalesforceApiError) || error.sfErrorCode !== 'EXCEEDED_ID_LIMIT' || b - a < MIN_SPLIT_MS) throw error;
    const mid = new Date(a + Math.floor((b - a) / 2)).toISOString();
    const first = await fetchDeleted(get, sobject, { start: range.start, end: mid }, options);
    const second = await fetchDeleted(get, sobject, { start: mid, end: range.end }, options);
    return {
      deletedRecords: [...first.deletedRecords, ...second.deletedRecords],
      ...(first.earliestDateAvailable !== undefined ? { earliestDateAvailable: first.earliestDateAvailable } : {}),
      ...(second.latestDateCovered !== undefined ? { latestDateCovered: second.latestDateCovered } : {}),
    };
  }
}
