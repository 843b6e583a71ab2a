/**
 * `discover` (one Airbyte CATALOG message) and `--discover` (the bare Singer catalog object).
 */
import { buildCustomQueryStreams } from '../catalog/custom-query.js';
import { describeObjects, discoverStreams, type DiscoverOptions } from '../catalog/discover.js';
import type { StreamDefinition } from '../catalog/types.js';
import { buildStreamFilter } from '../config/stream-filter.js';
import type { CommandContext } from './context.js';

/** How this run describes objects: its concurrency, log and signal, and which objects it keeps. */
export function describeOptions(ctx: CommandContext, keep: (name: string) => boolean): DiscoverOptions {
  return { keep, concurrency: ctx.config.describeConcurrency, log: (level, message) => ctx.logger.log(level, message), signal: ctx.signal };
}

export async function discoverDefinitions(ctx: CommandContext): Promise<StreamDefinition[]> {
  const client = await ctx.client();
  const started = Date.now();
  const options = describeOptions(ctx, buildStreamFilter(ctx.config.streamsInclude, ctx.config.streamsExclude));
  const objects = await discoverStreams(client, options);
  // Custom query streams are not subject to the object patterns: the user asked for each one.
  const custom = await buildCustomQueryStreams(ctx.config.customQueries, (names) => describeObjects(client, names, options), objects.map((d) => d.name));
  const definitions = [...objects, ...custom];
  ctx.logger.info(`Discovered ${definitions.length} streams in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return definitions;
}

export async function runDiscover(ctx: CommandContext): Promise<void> {
  const definitions = await discoverDefinitions(ctx);
  await ctx.out.write(ctx.protocol.encodeCatalog(definitions));
  await ctx.out.flush();
}
