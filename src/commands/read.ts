/**
 * `read` (Airbyte) and `--catalog` / `--properties` (Singer): resolve the selection against fresh
 * describes, load the state, run the sync and write its events through the protocol's encoder.
 * Bulk jobs this run created are aborted when it fails or is interrupted.
 */
import { describeObjects } from '../catalog/discover.js';
import { buildStreamDefinition } from '../catalog/build-stream.js';
import { buildCustomQueryStreams } from '../catalog/custom-query.js';
import { resolveSelection, selectAll, type StreamChoice } from '../catalog/select.js';
import type { SelectedStream, StreamDefinition } from '../catalog/types.js';
import { EXIT_PARTIAL } from '../core/errors.js';
import { readJsonInput } from '../core/json-input.js';
import type { SalesforceClient } from '../salesforce/client.js';
import { BulkJobRegistry } from '../salesforce/bulk2/jobs.js';
import { createAsyncJobRegistry } from '../salesforce/bulk1/jobs.js';
import { bulk1Api, createBulk1Reader } from '../sync/bulk1-reader.js';
import { CompositeBatcher } from '../salesforce/composite-batcher.js';
import type { Logger } from '../io/logger.js';
import type { Progress } from '../io/progress.js';
import type { StreamBookmark, SyncEvent } from '../sync/events.js';
import { bulk2Api, createBulkReader } from '../sync/bulk2-reader.js';
import { DownloadConnections } from '../sync/download-connections.js';
import { ReadApiRegistry } from '../sync/read-apis.js';
import { setUpFreshness } from '../sync/freshness-run.js';
import { buildReadHooks } from '../sync/read-hooks.js';
import type { ReaderSettings } from '../sync/readers.js';
import { compositeApi, createRestReader, restApi } from '../sync/rest-reader.js';
import { runSync } from '../sync/run-sync.js';
import { largestFirst, readsInFull } from '../sync/stream-order.js';
import { fetchRecordCounts } from '../salesforce/record-counts.js';
import { openChangeEvents } from './change-events.js';
import { describeOptions, discoverDefinitions } from './discover.js';
import type { CommandContext, ReadCommandOptions } from './context.js';

async function selectStreams(ctx: CommandContext, client: SalesforceClient, catalogPath: string | undefined): Promise<SelectedStream[]> {
  if (!catalogPath) return selectAll(await discoverDefinitions(ctx));
  const raw = await readJsonInput({ kind: 'catalog', path: catalogPath });
  const choices: StreamChoice[] = ctx.protocol.parseCatalog(raw, { selectFieldsByDefault: ctx.config.selectFieldsByDefault });
  const options = describeOptions(ctx, () => true);
  const chosen = new Set(choices.map((c) => c.name));
  const queries = ctx.config.customQueries.filter((q) => chosen.has(q.name));
  const queryNames = new Set(queries.map((q) => q.name));
  // Only the selected objects are described: a big org's catalog reads fast.
  const describes = await describeObjects(client, [...chosen].filter((name) => !queryNames.has(name)), options);
  const definitions: StreamDefinition[] = describes.map(buildStreamDefinition);
  definitions.push(...(await buildCustomQueryStreams(queries, (names) => describeObjects(client, names, options), definitions.map((d) => d.name))));
  return resolveSelection(choices, definitions, (message) => ctx.logger.warn(message));
}

async function loadBookmarks(ctx: CommandContext, statePath: string | undefined): Promise<Map<string, StreamBookmark>> {
  if (!statePath) return new Map();
  const raw = await readJsonInput({ kind: 'state', path: statePath });
  const bookmarks = ctx.protocol.parseState(raw, (message) => ctx.logger.warn(message));
  warnFutureBookmarks(bookmarks, Date.now(), (message) => ctx.logger.warn(message));
  return bookmarks;
}

/**
 * A bookmark after now reads nothing until the clock passes it, run after run. It is kept (a
 * state may come from an org whose clock runs ahead), but never silently.
 */
export function warnFutureBookmarks(bookmarks: ReadonlyMap<string, StreamBookmark>, now: number, warn: (message: string) => void): void {
  for (const [stream, bookmark] of bookmarks) {
    if (bookmark.value !== undefined && Date.parse(bookmark.value) > now + 60_000) {
      warn(`${stream}: the state's bookmark ${bookmark.value} is in the future, so no row is read until then. Remove the stream's bookmark from the state to read it again.`);
    }
  }
}

/**
 * One stderr line per stream status, in both protocols (Airbyte's STREAM_STATUS traces go to the
 * platform, not to the job log): `Account: complete (1000000 records)`.
 */
function logStreamStatus(logger: Logger, counts: Map<string, number>, event: SyncEvent): void {
  if (event.kind === 'records') counts.set(event.stream, (counts.get(event.stream) ?? 0) + event.batch.count);
  else if (event.kind === 'status') logger.log(event.status === 'INCOMPLETE' ? 'warn' : 'info', `${event.stream}: ${event.status.toLowerCase()}${event.status === 'COMPLETE' ? ` (${counts.get(event.stream) ?? 0} records)` : ''}`);
}

function followProgress(progress: Progress, event: SyncEvent): void {
  if (event.kind === 'records') progress.records(event.stream, event.batch.count);
  else if (event.kind === 'estimate') progress.estimate(event.stream, event.rows);
  else if (event.kind === 'status' && event.status === 'STARTED') progress.streamStarted(event.stream);
  else if (event.kind === 'status' && (event.status === 'COMPLETE' || event.status === 'INCOMPLETE')) progress.streamEnded(event.stream, event.status);
}

/**
 * Streams that load in full start largest first when more are selected than run at once: one
 * Record Count call per 100 objects. Without counts (no permission, an old API version) they
 * start in catalog order.
 */
async function inStartOrder(ctx: CommandContext, client: SalesforceClient, streams: SelectedStream[], bookmarks: ReadonlyMap<string, StreamBookmark>, follow: boolean): Promise<SelectedStream[]> {
  if (ctx.config.planner !== 'adaptive' || follow || streams.length <= ctx.config.streamConcurrency) return streams;
  const full = streams.filter((stream) => readsInFull(stream, bookmarks.get(stream.definition.name)));
  if (full.length === 0) return streams;
  try {
    const counts = await fetchRecordCounts(client, [...new Set(full.map((stream) => stream.definition.sobject))], ctx.signal);
    return largestFirst(streams, bookmarks, counts);
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    ctx.logger.log('info', `Record counts unavailable (${error instanceof Error ? error.message : String(error)}); streams start in catalog order`);
    return streams;
  }
}

export async function runRead(ctx: CommandContext, options: ReadCommandOptions): Promise<number> {
  const client = await ctx.client();
  const selected = await selectStreams(ctx, client, options.catalogPath);
  const bookmarks = await loadBookmarks(ctx, options.statePath);
  const config = ctx.config;
  // Whole seconds: SOQL datetime literals have no milliseconds, and windows must tile exactly.
  const syncStart = new Date(Math.floor(Date.now() / 1000) * 1000);
  const jobs = new BulkJobRegistry();
  const asyncJobs = createAsyncJobRegistry();
  const log = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => ctx.logger.log(level, message);
  const settings: ReaderSettings = {
    maxRecords: config.maxRecords,
    restBatchSize: config.restBatchSize,
    resultPageConcurrency: config.resultPageConcurrency,
    connections: new DownloadConnections(config.bulkJobConcurrency * config.resultPageConcurrency),
    includeDeleted: config.includeDeleted,
    streamWhere: config.streamWhere,
    bulkJobTimeoutMs: config.bulkJobTimeoutSeconds * 1000,
    pollInitialMs: config.pollInitialMs,
    pollMaxMs: config.pollMaxMs,
    log: (level, message) => ctx.logger.log(level, message),
    envelope: (stream) => encoder.envelope(stream),
  };
  const rest = createRestReader(client, settings);
  const bulk1 = bulk1Api(createBulk1Reader(client, { ...settings, chunkConcurrency: config.resultPageConcurrency, ...(config.pkChunkSize ? { pkChunking: { chunkSize: config.pkChunkSize } } : {}) }, asyncJobs, rest));
  const apis = [bulk2Api(createBulkReader(client, settings, jobs)), restApi(rest)];
  // Small reads of many streams (first query pages, getDeleted, change events' re-reads) share Composite requests: one API call each.
  const batcher = new CompositeBatcher(client);
  const batchedRest = createRestReader(client, settings, batcher);
  const cdc = await openChangeEvents(ctx, client, selected, options.follow === true, rest, batchedRest);
  const freshness = setUpFreshness((path, query) => batcher.get(path, query), config, cdc.streams, cdc.modes);
  const streams = await inStartOrder(ctx, client, freshness.streams, bookmarks, options.follow === true);
  const encoder = ctx.protocol.createEncoder({ bookmarks, log, streams, activateVersion: config.activateVersion });
  const events = runSync({
    streams,
    modes: freshness.modes,
    bookmarks,
    // BULK1 prefers Bulk API 1.0 and falls back to REST where Bulk cannot serve, as auto does with 2.0.
    apis: new ReadApiRegistry([...(config.api === 'bulk1' ? [bulk1, ...apis] : [...apis, bulk1]), compositeApi(batchedRest)]),
    jobSlots: config.bulkJobConcurrency,
    smallReadRows: config.planner === 'adaptive' ? config.smallReadRows : 0,
    lookahead: config.planner === 'adaptive',
    hooks: buildReadHooks(client, config, log),
    // Followed change event streams never end: each needs a slot of its own.
    streamConcurrency: options.follow ? Math.max(config.streamConcurrency, streams.length) : config.streamConcurrency,
    api: config.api === 'auto' || config.api === 'bulk1' ? undefined : config.api,
    signal: ctx.signal,
    syncStart,
  });
  let failedStreams = 0;
  const counts = new Map<string, number>();
  try {
    for await (const event of events) {
      if (event.kind === 'error') failedStreams += 1;
      logStreamStatus(ctx.logger, counts, event);
      if (ctx.progress) followProgress(ctx.progress, event);
      const lines = encoder.encode(event);
      if (lines !== undefined) await ctx.out.write(lines);
      // A live feed writes each change at its STATE, not once 64 KiB gathered.
      if (options.follow && event.kind === 'state') await ctx.out.flush();
    }
  } finally {
    cdc.close();
    const aborted = await jobs.abortAll(client);
    if (aborted > 0) ctx.logger.warn(`Aborted ${aborted} Bulk API 2.0 job(s) this run had started.`);
    const abortedAsync = await asyncJobs.abortAll(client);
    if (abortedAsync > 0) ctx.logger.warn(`Aborted ${abortedAsync} Bulk API 1.0 job(s) this run had started.`);
    await ctx.out.flush();
  }
  if (freshness.getDeletedCalls() > 0) ctx.logger.info(`getDeleted: ${freshness.getDeletedCalls()} call(s) for hard deletes.`);
  if (failedStreams > 0) ctx.logger.warn(`${failedStreams} stream(s) did not complete; the others did.`);
  return failedStreams > 0 ? EXIT_PARTIAL : 0;
}
