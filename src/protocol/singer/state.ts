/**
 * Singer state in: `{"bookmarks": {...}}`, the same wrapped by Meltano (`{"singer_state": ...}`),
 * and the bookmark shapes of the taps users migrate from (singer-io `{"SystemModstamp": "…"}`,
 * Meltano SDK `{"replication_key", "replication_key_value"}`). Out: the full state, every stream.
 */
import { ConfigError } from '../../core/errors.js';
import { normalizeTimestamp } from '../../state/windows.js';
import type { StreamBookmark } from '../../sync/events.js';

const KEYS = ['SystemModstamp', 'LastModifiedDate', 'CreatedDate', 'LoginTime'];

/** What the Python Singer tap keeps of a Bulk API 1.0 job in flight; this tap cannot resume that job. */
const FOREIGN_JOB_KEYS = ['JobID', 'BatchIDs', 'JobHighestBookmarkSeen'];

/** Warns once about every stream whose state holds another tap's in-flight Bulk job. */
export function warnForeignJobs(blobs: Iterable<[string, unknown]>, warn: (message: string) => void): void {
  const streams: string[] = [];
  const keys = new Set<string>();
  for (const [stream, blob] of blobs) {
    if (blob === null || typeof blob !== 'object') continue;
    const found = FOREIGN_JOB_KEYS.filter((key) => key in blob);
    if (found.length === 0) continue;
    streams.push(stream);
    for (const key of found) keys.add(key);
  }
  if (streams.length === 0) return;
  warn(`The state holds a Bulk API 1.0 job of another tap (${[...keys].join(', ')}) for ${streams.join(', ')}: that job is not resumed; each of these streams reads again from its bookmark.`);
}

export function bookmarkFromBlob(stream: string, blob: unknown, where: string): StreamBookmark {
  if (blob === null || typeof blob !== 'object' || Array.isArray(blob)) {
    throw new ConfigError('TAP_STATE_INVALID', `Expected \`${where}\` to be an object with the stream's bookmark, got ${JSON.stringify(blob)?.slice(0, 80)}.`);
  }
  const b = blob as Record<string, unknown>;
  const bookmark: StreamBookmark = {};
  if (b.complete === true || b.__ab_full_refresh_sync_complete === true) bookmark.complete = true;
  const key = typeof b.replication_key === 'string' ? b.replication_key : KEYS.find((k) => b[k] !== undefined);
  const raw = typeof b.replication_key === 'string' ? b.replication_key_value ?? b[b.replication_key] : key ? b[key] : undefined;
  if (key && raw !== undefined && raw !== null) {
    const value = normalizeTimestamp(raw);
    if (!value) throw new ConfigError('TAP_STATE_INVALID', `Expected \`${where}.${key}\` to be an ISO-8601 timestamp, got ${JSON.stringify(raw)} (stream ${stream}).`);
    bookmark.replicationKey = key;
    bookmark.value = value;
  }
  Object.assign(bookmark, freshnessFromBlob(b));
  if (typeof b.replay_id === 'string') bookmark.replayId = b.replay_id;
  return bookmark;
}

/** The freshness positions of a bookmark blob (`deletes_covered_until`, `formulas_refreshed_at`); unreadable ones are dropped, which only costs a wider getDeleted range or an earlier refresh. */
export function freshnessFromBlob(b: Record<string, unknown>): Pick<StreamBookmark, 'deletesCoveredUntil' | 'formulasRefreshedAt'> {
  const deletes = normalizeTimestamp(b.deletes_covered_until);
  const formulas = normalizeTimestamp(b.formulas_refreshed_at);
  return { ...(deletes ? { deletesCoveredUntil: deletes } : {}), ...(formulas ? { formulasRefreshedAt: formulas } : {}) };
}

/** The freshness positions as both protocols' state blobs hold them. */
export function freshnessToBlob(bookmark: StreamBookmark): Record<string, string> {
  return {
    ...(bookmark.deletesCoveredUntil ? { deletes_covered_until: bookmark.deletesCoveredUntil } : {}),
    ...(bookmark.formulasRefreshedAt ? { formulas_refreshed_at: bookmark.formulasRefreshedAt } : {}),
  };
}

export function parseSingerState(raw: unknown, warn: (message: string) => void = () => {}): Map<string, StreamBookmark> {
  const out = new Map<string, StreamBookmark>();
  if (raw === undefined || raw === null) return out;
  let value = raw as Record<string, unknown>;
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError('TAP_STATE_INVALID', 'Expected the state file to hold a JSON object like {"bookmarks": {...}}.');
  if (value.singer_state && typeof value.singer_state === 'object') value = value.singer_state as Record<string, unknown>;
  const bookmarks = value.bookmarks ?? {};
  if (typeof bookmarks !== 'object' || bookmarks === null || Array.isArray(bookmarks)) throw new ConfigError('TAP_STATE_INVALID', 'Expected `bookmarks` in the state to be an object keyed by stream name.');
  for (const [stream, blob] of Object.entries(bookmarks)) out.set(stream, bookmarkFromBlob(stream, blob, `bookmarks.${stream}`));
  warnForeignJobs(Object.entries(bookmarks), warn);
  return out;
}

/** One stream's bookmark as singer-io, Meltano SDK tooling and this tap all read it. */
export function encodeSingerBookmark(bookmark: StreamBookmark): Record<string, unknown> {
  const replay = bookmark.replayId !== undefined ? { replay_id: bookmark.replayId } : {};
  if (bookmark.replicationKey && bookmark.value) {
    return { [bookmark.replicationKey]: bookmark.value, replication_key: bookmark.replicationKey, replication_key_value: bookmark.value, ...freshnessToBlob(bookmark), ...replay };
  }
  if (bookmark.replayId !== undefined) return replay;
  return bookmark.complete ? { complete: true } : { ...freshnessToBlob(bookmark) };
}
