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
import { PubSubReplayIdError } from '../../salesforce/pubsub/errors.js';
import type { RecordBatch, StreamBookmark } from '../events.js';
import type { SyncWindow } from '../read-apis.js';
import { readWindow } from '../modes/incremental-windows.js';
import { buildTombstone } from '../tombstones.js';
import type { ModeContext, ModeOutput, ReadMode } from '../read-modes.js';
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
  /** Events gathered from full batches (a backlog waits) before they are re-read together. */
  gatherEvents: number;
  /** The snapshot reads this far past the moment its position was taken (clock skew). */
  skewMs: number;
  /**
   * The current rows of some Ids of a stream, read by Id through REST; `together`: one of several
   * queries asked for at once, whose first pages share Composite requests.
   */
  reread(stream: SelectedStream, ids: string[], signal: AbortSignal, together: boolean): AsyncIterable<RecordBatch>;
}

/** The bookmark: the last processed replay id (base64; empty: before any event) and the SystemModstamp beside it. */
export interface ChangeEventsBookmark {
  replayId?: string | undefined;
  /** ISO-8601 UTC: the query-based catch-up starts here (minus the lookback). */
  value?: string | undefined;
}

/** `Account` → `/data/AccountChangeEvent`; `Invoice__c` → `/data/Invoice__ChangeEvent`. */
export function changeEventTopic(sobject: string): string {
  return `/data/${sobject.endsWith('__c') ? sobject.slice(0, -1) : sobject}ChangeEvent`;
}

type Output = ModeOutput<ChangeEventsBookmark>;

/** An empty replay id is a position taken before the topic had events: read from EARLIEST. */
const toReplayId = (b64: string | undefined): Buffer | undefined => (b64 === undefined ? undefined : Buffer.from(b64, 'base64'));
const iso = (ms: number) => new Date(ms).toISOString();
const pastNow = (skewMs: number) => new Date(Math.ceil((Date.now() + skewMs) / 1000) * 1000);

export function createChangeEventsMode(settings: ChangeEventSettings): ReadMode<ChangeEventsBookmark, ChangeEventsBookmark | undefined> {
  return {
    id: 'change-events',
    serves: (stream) => stream.method === 'LOG_BASED',
    bookmark: (stored) => (stored ? { ...(stored.replayId !== undefined ? { replayId: stored.replayId } : {}), ...(stored.value ? { value: stored.value } : {}) } : undefined),
    plan: async (bookmark) => bookmark,
    read: (bookmark, ctx) => readChangeEvents(bookmark, ctx, settings),
    checkpoint: (position) => ({ replicationKey: 'SystemModstamp', ...(position.value ? { value: position.value } : {}), ...(position.replayId !== undefined ? { replayId: position.replayId } : {}) }),
  };
}

/** One window's records (halved when too big), each window's end checkpointed with `carry`. */
async function* readWindowWith(window: SyncWindow, ctx: ModeContext, carry: ChangeEventsBookmark): AsyncIterable<Output> {
  for await (const out of readWindow(window, ctx)) {
    if ('position' in out) yield { position: { ...carry, ...(out.position.value ? { value: out.position.value } : {}) } };
    else if ('batch' in out) yield out;
  }
}

async function* readChangeEvents(bookmark: ChangeEventsBookmark | undefined, ctx: ModeContext, settings: ChangeEventSettings): AsyncIterable<Output> {
  const { stream } = ctx;
  const name = stream.definition.name;
  const topic = changeEventTopic(stream.definition.sobject);
  await settings.source.getTopic(topic);

  let replayId = toReplayId(bookmark?.replayId);
  let stamp = bookmark?.value;
  const position = (): ChangeEventsBookmark => ({ ...(stamp ? { value: stamp } : {}), ...(replayId ? { replayId: replayId.toString('base64') } : {}) });

  /** SystemModstamp windows from the bookmark up to `until`, each checkpointed with `carry`. */
  async function* windowsUntil(until: Date, carry: ChangeEventsBookmark): AsyncIterable<Output> {
    const from: StreamBookmark | undefined = stamp ? { replicationKey: 'SystemModstamp', value: stamp } : undefined;
    const windows = await ctx.hooks.planWindows({ ...stream, replicationKey: 'SystemModstamp' }, from, until, ctx.signal);
    for (const window of windows) yield* readWindowWith(window, ctx, carry);
    stamp = until.toISOString();
  }

  /** Position first, then a window read past it: nothing committed in between is missed. */
  async function* catchUpByQuery(reason: string): AsyncIterable<Output> {
    const taken = await currentPosition(settings, topic, ctx.signal);
    const until = pastNow(settings.skewMs);
    await ctx.log('info', `${name}: ${reason}; reading SystemModstamp ${stamp ?? 'from the start'} – ${until.toISOString()}, then change events from there`);
    // Windows carry no replay id: a run killed inside them starts over with a new position.
    yield* windowsUntil(until, {});
    replayId = taken ?? Buffer.alloc(0);
    yield { position: position() };
  }

  if (!replayId) yield* catchUpByQuery(bookmark?.value ? 'no replay id in the state' : 'first run: snapshot');

  // A position refused right after it was taken is not a retention problem: give up then.
  for (let refused = 0; ; refused += 1) {
    try {
      yield* consume();
      return;
    } catch (thrown) {
      if (!(thrown instanceof PubSubReplayIdError) || ctx.signal.aborted || refused >= 2) throw thrown;
      await ctx.log('warn', `${name}: ${thrown.message}`);
      yield* catchUpByQuery('the stored replay id is no longer retained');
    }
  }

  async function* consume(): AsyncIterable<Output> {
    const start: ReplayStart = replayId && replayId.length > 0 ? { preset: 'CUSTOM', replayId } : { preset: 'EARLIEST' };
    let target: Buffer | undefined;
    let first = true;
    let idleSince = Date.now();
    let emitted = false;
    let held: PubSubBatch['events'] = [];
    for await (const batch of settings.source.subscribe({ topic, start, batchSize: settings.batchSize, idleMs: settings.idleMs, signal: ctx.signal })) {
      if (first && !batch.idle) {
        first = false;
        target = batch.latestReplayId;
      }
      if (batch.events.length > 0) {
        idleSince = Date.now();
        held = held.concat(batch.events);
        const caughtUp = !settings.follow && target !== undefined && batch.events.some((e) => e.replayId.equals(target!));
        // A full batch means more events wait: gather them so that their re-reads go out together.
        if (!caughtUp && batch.events.length >= settings.batchSize && held.length < settings.gatherEvents) continue;
        yield* apply({ ...batch, events: held });
        held = [];
        emitted = true;
        if (caughtUp) break;
        continue;
      }
      if (held.length > 0) {
        // A full batch was the last for now: what it gathered is applied instead of waiting for more.
        yield* apply({ ...batch, events: held });
        held = [];
        emitted = true;
      }
      if (settings.follow) continue;
      // A keepalive while the server owes events: nothing more is available, the run caught up.
      if ((!batch.idle && (batch.pendingNumRequested ?? 0) > 0) || Date.now() - idleSince >= settings.idleMs) break;
    }
    if (!emitted && !ctx.signal.aborted) yield { position: position() };
  }

  /** The rows of `ids`, 200 per query, every query's first page asked for at once (they share Composite requests), written in order. */
  async function* rereadAll(ids: string[]): AsyncIterable<Output> {
    const reads: AsyncIterator<RecordBatch>[] = [];
    // One query alone (live events) goes straight out, without waiting for company.
    const together = ids.length > settings.rereadBatchSize;
    for (let i = 0; i < ids.length; i += settings.rereadBatchSize) reads.push(settings.reread(stream, ids.slice(i, i + settings.rereadBatchSize), ctx.signal, together)[Symbol.asyncIterator]());
    const firsts = reads.map((read) => read.next());
    for (const first of firsts) first.catch(() => undefined);
    try {
      for (let i = 0; i < reads.length; i += 1) {
        for (let step = await firsts[i]!; !step.done; step = await reads[i]!.next()) yield { batch: step.value };
      }
    } finally {
      await Promise.allSettled(reads.map((read) => read.return?.()));
    }
  }

  async function* apply(batch: PubSubBatch): AsyncIterable<Output> {
    const last = batch.events.at(-1)!;
    const changes = foldChangeEvents(batch.events.filter((e) => e.header.entityName.toLowerCase() === stream.definition.sobject.toLowerCase()));
    if (changes.overflow) {
      // A transaction changed more records than events could describe: read the range instead.
      await ctx.log('warn', `${name}: GAP_OVERFLOW; re-reading changes since ${stamp ?? 'the start'} by SystemModstamp`);
      yield* windowsUntil(pastNow(settings.skewMs), { ...(replayId ? { replayId: replayId.toString('base64') } : {}) });
    }
    if (changes.gaps > 0) await ctx.log('info', `${name}: ${changes.gaps} record(s) named by gap events are re-read by Id`);
    yield* rereadAll(changes.reread);
    if (changes.deleted.size > 0) yield { tombstones: [...changes.deleted].map(([id, at]) => buildTombstone(stream.definition, id, iso(at), stream.replicationKey)) };
    if (changes.lastCommit !== undefined && (!stamp || changes.lastCommit > Date.parse(stamp))) stamp = iso(changes.lastCommit);
    replayId = last.replayId;
    yield { position: position() };
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
