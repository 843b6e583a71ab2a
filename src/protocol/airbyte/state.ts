/**
 * Airbyte state in: an array of STREAM (or GLOBAL) state messages, a single message, the LEGACY
 * blob `{"Account": {...}}`, `[]`, `{}` or an empty file; stream blobs of Airbyte's own
 * source-salesforce (`{"SystemModstamp": "…"}`) resume as they are.
 */
import { ConfigError } from '../../core/errors.js';
import type { StreamBookmark } from '../../sync/events.js';
import { bookmarkFromBlob, freshnessToBlob, warnForeignJobs } from '../singer/state.js';

interface StreamState {
  stream_descriptor?: { name?: unknown };
  stream_state?: unknown;
}

export function parseAirbyteState(raw: unknown, warn: (message: string) => void = () => {}): Map<string, StreamBookmark> {
  const out = new Map<string, StreamBookmark>();
  if (raw === undefined || raw === null) return out;
  const blobs: [string, unknown][] = [];
  const add = (s: StreamState, where: string) => {
    const name = s?.stream_descriptor?.name;
    if (typeof name !== 'string') throw new ConfigError('TAP_STATE_INVALID', `Expected \`${where}.stream_descriptor.name\` to be a string.`);
    if (s.stream_state === null || s.stream_state === undefined) return; // null: the stream was reset
    out.set(name, bookmarkFromBlob(name, s.stream_state, `${where}.stream_state`));
    blobs.push([name, s.stream_state]);
  };
  if (typeof raw !== 'object') throw new ConfigError('TAP_STATE_INVALID', `Expected the state to be a list of STATE messages or an object of stream states, got ${JSON.stringify(raw)?.slice(0, 40)}.`);
  const messages = Array.isArray(raw) ? raw : typeof raw === 'object' && ('type' in raw || 'stream' in raw || 'global' in raw) ? [raw] : undefined;
  if (!messages) {
    for (const [name, blob] of Object.entries(raw as Record<string, unknown>)) out.set(name, bookmarkFromBlob(name, blob, name));
    warnForeignJobs(Object.entries(raw as Record<string, unknown>), warn);
    return out;
  }
  messages.forEach((m: unknown, i) => {
    const message = m as { type?: unknown; stream?: StreamState; global?: { stream_states?: StreamState[] }; data?: unknown };
    if (message?.stream) add(message.stream, `[${i}].stream`);
    else if (message?.global) (message.global.stream_states ?? []).forEach((s, j) => add(s, `[${i}].global.stream_states[${j}]`));
    else if (message?.data && typeof message.data === 'object') {
      for (const [name, blob] of Object.entries(message.data as Record<string, unknown>)) {
        out.set(name, bookmarkFromBlob(name, blob, `[${i}].data.${name}`));
        blobs.push([name, blob]);
      }
    } else throw new ConfigError('TAP_STATE_INVALID', `Expected \`[${i}]\` of the state to have \`stream\`, \`global\` or \`data\`.`);
  });
  warnForeignJobs(blobs, warn);
  return out;
}

export function encodeAirbyteStreamState(bookmark: StreamBookmark): Record<string, unknown> {
  const replay = bookmark.replayId !== undefined ? { replay_id: bookmark.replayId } : {};
  if (bookmark.replicationKey && bookmark.value) return { [bookmark.replicationKey]: bookmark.value, ...freshnessToBlob(bookmark), ...replay };
  if (bookmark.replayId !== undefined) return replay;
  return bookmark.complete ? { __ab_full_refresh_sync_complete: true } : { __ab_no_cursor_state_message: true };
}
