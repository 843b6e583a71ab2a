/**
 * Singer state in: `{"bookmarks": {...}}`, the same wrapped by Meltano (`{"singer_state": ...}`),
 * and the bookmark shapes of the taps users migrate from (singer-io `{"SystemModstamp": "…"}`,
 * Meltano SDK `{"replication_key", "replication_key_value"}`). Out: the full state, every stream.
 */
import { ConfigError } from '../../core/errors.js';
import { normalizeTimestamp } from '../../state/windows.js';
import type { StreamBookmark } from '../../sync/events.js';

const KEYS = ['SystemModstamp', 'LastModifiedDate', 'CreatedDate', 'LoginTime'];

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
  if (typeof b.replay_id === 'string') bookmark.replayId = b.replay_id;
  return bookmark;
}

export function parseSingerState(raw: unknown): Map<string, StreamBookmark> {
  const out = new Map<string, StreamBookmark>();
  if (raw === undefined || raw === null) return out;
  let value = raw as Record<string, unknown>;
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError('TAP_STATE_INVALID', 'Expected the state file to hold a JSON object like {"bookmarks": {...}}.');
  if (value.singer_state && typeof value.singer_state === 'object') value = value.singer_state as Record<string, unknown>;
  const bookmarks = value.bookmarks ?? {};
  if (typeof bookmarks !== 'object' || bookmarks === null || Array.isArray(bookmarks)) throw new ConfigError('TAP_STATE_INVALID', 'Expected `bookmarks` in the state to be an object keyed by stream name.');
  for (const [stream, blob] of Object.entries(bookmarks)) out.set(stream, bookmarkFromBlob(stream, blob, `bookmarks.${stream}`));
  return out;
}

/** One stream's bookmark as singer-io, Meltano SDK tooling and this tap all read it. */
export function encodeSingerBookmark(bookmark: StreamBookmark): Record<string, unknown> {
  const replay = bookmark.replayId !== undefined ? { replay_id: bookmark.replayId } : {};
  if (bookmark.replicationKey && bookmark.value) {
    return { [bookmark.replicationKey]: bookmark.value, replication_key: bookmark.replicationKey, replication_key_value: bookmark.value, ...replay };
  }
  if (bookmark.replayId !== undefined) return replay;
  return bookmark.complete ? { complete: true } : {};
}
