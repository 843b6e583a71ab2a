/**
 * The `change-events` read mode (Change Data Capture through the Pub/Sub API), one stream:
 *
 * - First run (no replay id in the bookmark): take the topic's current position, snapshot the
 *   object by SystemModstamp windows up to a moment after that position, then consume events
 *   from the position: a change committed during the snapshot is in the snapshot or in the
 *   events (or both), never in neither.
 * - Later runs: consume from the stored replay id.
 * - Creates, updates and undeletes are re-read by Id in batches (full rows, formula values
 *   included); deletes become tombstones; GAP_* events re-read the Ids they name.
 * - GAP_OVERFLOW, and a replay id no longer retained, fall back to a SystemModstamp window read
 *   from the timestamp the bookmark keeps beside the replay id.
 * - A run ends once caught up with the position that was latest when it started (or after
 *   `idleMs` without events); `follow` keeps it going until interrupted.
 *
 * Every batch ends with a STATE holding the last processed replay id and timestamp, so a run
 * killed at any point resumes without losing a change.
 */
import type { SelectedStream } from '../../catalog/types.js';
import { TapError } from '../../core/errors.js';
import type { PubSubBatch, ReplayStart, SubscribeOptions } from '../../salesforce/pubsub/pubsub-client.js';
import { PubSubReplayIdError } from '../../salesforce/pubsub/pubsub-client.js';
import type { StreamBookmark, SyncEvent } from '../events.js';
import type { SyncWindow } from '../run-sync.js';
import { buildTombstones } from './tombstone-records.js';
import { foldChangeEvents } from './fold-events.js';

/** What the mode needs of the Pub/Sub API (the PubSubClient, or a fake in unit tests). */
export interface ChangeEventSource {
  getTopic(topic: string): Promise<{ canSubscribe: boolean }>;
  subscribe(options: SubscribeOptions): AsyncIterable<PubSubBatch>;
}

export interface ChangeEventSettings {
  source: ChangeEventSource;
  /** Keep streaming until interrupted (Singer `--follow`). */
  follow: boolean;
  /** End a run after this long without events (and the end of an empty first response wait). */
  idleMs: number;
  /** Events asked for at a time (at most 100). */
  batchSize: number;
  /** Ids per re-read query. */
  rereadBatchSize: number;
  /** Record key of a tombstone's deletion time (the protocol's). */
  deletedAtKey: string;
  /** The snapshot reads this far past the moment its position was taken (clock skew). */
  skewMs: number;
  log(level: 'info' | 'warn', message: string): void;
}

export interface ChangeEventStreamContext {
  stream: SelectedStream;
  bookmark: StreamBookmark | undefined;
  signal: AbortSignal;
  emit(event: SyncEvent): Promise<void>;
  /** Windows from the bookmark (minus lookback) or the start date up to `until`. */
  planWindows(bookmark: StreamBookmark | undefined, until: Date): Promise<SyncWindow[]>;
  /** Reads one window (records emitted), then emits STATE `{value: window.end, ...carry}`. */
  readWindow(window: SyncWindow, carry: Partial<StreamBookmark>): Promise<void>;
  /** Reads the current rows of these Ids (records emitted); returns how many came back. */
  reread(ids: string[]): Promise<number>;
}

/** `Account` → `/data/AccountChangeEvent`; `Invoice__c` → `/data/Invoice__ChangeEvent`. */
export function changeEventTopic(sobject: string): string {
  return `/data/${sobject.endsWith('__c') ? sobject.slice(0, -1) : sobject}ChangeEvent`;
}

/** An empty replay id is a position taken before the topic had events: read from EARLIEST. */
const toReplayId = (b64: string | undefined): Buffer | undefined => (b64 === undefined ? undefined : Buffer.from(b64, 'base64'));
const iso = (ms: number) => new Date(ms).toISOString();

export async function readChangeEvents(ctx: ChangeEventStreamContext, settings: ChangeEventSettings): Promise<void> {
  const { stream } = ctx;
  const name = stream.definition.name;
  const topic = changeEventTopic(stream.definition.sobject);
  const replicationKey = stream.replicationKey ?? 'SystemModstamp';
  await settings.source.getTopic(topic);

  let replayId = toReplayId(ctx.bookmark?.replayId);
  let stamp = ctx.bookmark?.value;
  const checkpoint = (id: Buffer | undefined) =>
    ctx.emit({ kind: 'state', stream: name, bookmark: { replicationKey, ...(stamp ? { value: stamp } : {}), ...(id ? { replayId: id.toString('base64') } : {}) } });

  /** Position first, then a window read past it: nothing committed in between is missed. */
  const catchUpByQuery = async (reason: string) => {
    const position = await currentPosition(settings, topic, ctx.signal);
    const until = new Date(Math.ceil((Date.now() + settings.skewMs) / 1000) * 1000);
    settings.log('info', `${name}: ${reason}; reading SystemModstamp ${stamp ?? 'from the start'} – ${until.toISOString()}, then change events from there`);
    const from: StreamBookmark | undefined = stamp ? { replicationKey, value: stamp } : undefined;
    for (const window of await ctx.planWindows(from, until)) await ctx.readWindow(window, {});
    stamp = until.toISOString();
    replayId = position;
    await checkpoint(replayId ?? Buffer.alloc(0));
  };

  if (!replayId) await catchUpByQuery(ctx.bookmark?.value ? 'no replay id in the state' : 'first run: snapshot');

  // A position refused right after it was taken is not a retention problem: give up then.
  for (let refusedInARow = 0; ; refusedInARow += 1) {
    try {
      await consume();
      return;
    } catch (thrown) {
      if (!(thrown instanceof PubSubReplayIdError) || ctx.signal.aborted || refusedInARow >= 2) throw thrown;
      settings.log('warn', `${name}: ${thrown.message}`);
      await catchUpByQuery('the stored replay id is no longer retained');
    }
  }

  async function consume(): Promise<void> {
    const start: ReplayStart = replayId && replayId.length > 0 ? { preset: 'CUSTOM', replayId } : { preset: 'EARLIEST' };
    let target: Buffer | undefined;
    let first = true;
    let idleSince = Date.now();
    let emitted = false;
    for await (const batch of settings.source.subscribe({ topic, start, batchSize: settings.batchSize, idleMs: settings.idleMs, signal: ctx.signal })) {
      if (first && !batch.idle) {
        first = false;
        target = batch.latestReplayId;
      }
      if (batch.events.length > 0) {
        idleSince = Date.now();
        await apply(batch);
        emitted = true;
        if (!settings.follow && target && batch.events.some((e) => e.replayId.equals(target!))) break;
        continue;
      }
      if (settings.follow) continue;
      // An empty response that is not a timeout is the server's keepalive: nothing is pending.
      if (!batch.idle || Date.now() - idleSince >= settings.idleMs) break;
    }
    if (!emitted && !ctx.signal.aborted) await checkpoint(replayId);
  }

  async function apply(batch: PubSubBatch): Promise<void> {
    const last = batch.events.at(-1)!;
    const changes = foldChangeEvents(batch.events.filter((e) => e.header.entityName.toLowerCase() === stream.definition.sobject.toLowerCase()));
    if (changes.overflow) {
      // A transaction changed more records than events could describe: read the range instead.
      settings.log('warn', `${name}: GAP_OVERFLOW; re-reading changes since ${stamp ?? 'the start'} by SystemModstamp`);
      const until = new Date(Math.ceil((Date.now() + settings.skewMs) / 1000) * 1000);
      const from: StreamBookmark | undefined = stamp ? { replicationKey, value: stamp } : undefined;
      for (const window of await ctx.planWindows(from, until)) await ctx.readWindow(window, { replayId: last.replayId.toString('base64') });
      stamp = until.toISOString();
    }
    if (changes.gaps > 0) settings.log('info', `${name}: ${changes.gaps} record(s) named by gap events are re-read by Id`);
    for (let i = 0; i < changes.reread.length; i += settings.rereadBatchSize) await ctx.reread(changes.reread.slice(i, i + settings.rereadBatchSize));
    if (changes.deleted.size > 0) await ctx.emit({ kind: 'records', stream: name, batch: buildTombstones(stream, changes.deleted, settings.deletedAtKey) });
    if (changes.lastCommit !== undefined && (!stamp || changes.lastCommit > Date.parse(stamp))) stamp = iso(changes.lastCommit);
    replayId = last.replayId;
    await checkpoint(replayId);
  }
}

/**
 * The topic's current replay id: a LATEST subscription's first response carries it. Undefined
 * when the server says nothing within the idle time (the events are then read from EARLIEST).
 */
async function currentPosition(settings: ChangeEventSettings, topic: string, signal: AbortSignal): Promise<Buffer | undefined> {
  const abort = new AbortController();
  const both = AbortSignal.any([signal, abort.signal]);
  try {
    for await (const batch of settings.source.subscribe({ topic, start: { preset: 'LATEST' }, batchSize: 1, idleMs: settings.idleMs, signal: both })) {
      if (batch.idle) return undefined;
      // An event that arrived already committed after the subscription: the snapshot that
      // follows reads it, so starting after it loses nothing.
      return batch.events.at(-1)?.replayId ?? batch.latestReplayId ?? Buffer.alloc(0);
    }
    if (signal.aborted) throw new TapError('TAP_INTERRUPTED', 'The sync was interrupted.', { kind: 'interrupted' });
    return undefined;
  } finally {
    abort.abort();
  }
}
