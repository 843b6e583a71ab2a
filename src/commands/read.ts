/**
 * `read` (Airbyte) and `--catalog` / `--properties` (Singer): resolve the selection against fresh
 * describes, load the state, run the sync and write its events through the protocol's encoder.
 * Bulk jobs this run created are aborted when it fails or is interrupted.
 */
import { readFile } from 'node:fs/promises';
import { describeObjects } from '../catalog/discover.js';
import { buildStreamDefinition } from '../catalog/build-stream.js';
import { buildCustomQueryStreams } from '../catalog/custom-query.js';
import { resolveSelection, selectAll, type StreamChoice } from '../catalog/select.js';
import type { SelectedStream, StreamDefinition } from '../catalog/types.js';
import { ConfigError, EXIT_PARTIAL } from '../core/errors.js';
import type { SalesforceClient } from '../salesforce/client.js';
import { BulkJobRegistry } from '../salesforce/bulk2/jobs.js';
import type { Logger } from '../io/logger.js';
import type { Progress } from '../io/progress.js';
import type { StreamBookmark, SyncEvent } from '../sync/events.js';
import { bulk2Api, createBulkReader } from '../sync/bulk2-reader.js';
import { ReadApiRegistry } from '../sync/read-apis.js';
import { buildReadHooks } from '../sync/read-hooks.js';
import type { ReaderSettings } from '../sync/readers.js';
import { createRestReader, restApi } from '../sync/rest-reader.js';
import { runSync } from '../sync/run-sync.js';
import { openChangeEvents } from './change-events.js';
import { describeOptions, discoverDefinitions } from './discover.js';
import type { CommandContext, ReadCommandOptions } from './context.js';

async function readJson(path: string, what: 'catalog' | 'state'): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(what === 'catalog' ? 'TAP_CATALOG_UNREADABLE' : 'TAP_STATE_UNREADABLE', `Cannot read the ${what} file ${path}: ${(error as Error).message}`);
  }
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ConfigError(what === 'catalog' ? 'TAP_CATALOG_INVALID_JSON' : 'TAP_STATE_INVALID_JSON', `The ${what} file ${path} is not valid JSON.`);
  }
}

async function selectStreams(ctx: CommandContext, client: SalesforceClient, catalogPath: string | undefined): Promise<SelectedStream[]> {
  if (!catalogPath) return selectAll(await discoverDefinitions(ctx));
  const raw = await readJson(catalogPath, 'catalog');
  const choices: StreamChoice[] = ctx.protocol.parseCatalog(raw, { selectFieldsByDefault: ctx.config.selectFieldsByDefault });
  const options = describeOptions(ctx, () => true);
  const chosen = new Set(choices.map((c) => c.name));
  const queries = ctx.config.customQueries.filter((q) => chosen.has(q.name));
  const queryNames = new Set(queries.map((q) => q.name));
  // Only the selected objects are described: a big org's catalog reads fast.
  const describes = await describeObjects(client, [...chosen].filter((name) => !queryNames.has(name)), options);
  const definitions: StreamDefinition[] = describes.map(buildStreamDefinition);
  definitions.push(...(await buildCustomQueryStreams(queries, (names) => describeObjects(client, names, options), definitions.map((d) => d.name))));
  return resolveSelection(choices, definitions);
}

async function loadBookmarks(ctx: CommandContext, statePath: string | undefined): Promise<Map<string, StreamBookmark>> {
  if (!statePath) return new Map();
  const raw = await readJson(statePath, 'state');
  return ctx.protocol.parseState(raw);
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

export async function runRead(ctx: CommandContext, options: ReadCommandOptions): Promise<number> {
  const client = await ctx.client();
  const selected = await selectStreams(ctx, client, options.catalogPath);
  const bookmarks = await loadBookmarks(ctx, options.statePath);
  const config = ctx.config;
  // Whole seconds: SOQL datetime literals have no milliseconds, and windows must tile exactly.
  const syncStart = new Date(Math.floor(Date.now() / 1000) * 1000);
  const jobs = new BulkJobRegistry();
  const log = (level: 'debug' | 'info' | 'warn' | 'error', message: string) => ctx.logger.log(level, message);
  const encoder = ctx.protocol.createEncoder({ bookmarks, log });
  const settings: ReaderSettings = {
    maxRecords: config.maxRecords,
    restBatchSize: config.restBatchSize,
    resultPageConcurrency: config.resultPageConcurrency,
    includeDeleted: config.includeDeleted,
    streamWhere: config.streamWhere,
    bulkJobTimeoutMs: config.bulkJobTimeoutSeconds * 1000,
    pollInitialMs: config.pollInitialMs,
    pollMaxMs: config.pollMaxMs,
    log: (level, message) => ctx.logger.log(level, message),
    envelope: (stream) => encoder.envelope(stream),
  };
  const restRead = createRestReader(client, settings);
  const cdc = openChangeEvents(ctx, client, selected, options.follow === true, restRead);
  const streams = cdc.streams;
  const events = runSync({
    streams,
    bookmarks,
    apis: new ReadApiRegistry([bulk2Api(createBulkReader(client, settings, jobs)), restApi(restRead)]),
    hooks: buildReadHooks(client, config, log),
    // Followed change event streams never end: each needs a slot of its own.
    streamConcurrency: options.follow ? Math.max(config.streamConcurrency, streams.length) : config.streamConcurrency,
    api: config.api === 'auto' ? undefined : config.api,
    modes: cdc.modes,
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
    }
  } finally {
    cdc.close();
    const aborted = await jobs.abortAll(client);
    if (aborted > 0) ctx.logger.warn(`Aborted ${aborted} Bulk API 2.0 job(s) this run had started.`);
    await ctx.out.flush();
  }
  if (failedStreams > 0) ctx.logger.warn(`${failedStreams} stream(s) did not complete; the others did.`);
  return failedStreams > 0 ? EXIT_PARTIAL : 0;
}
