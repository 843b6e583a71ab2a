/**
 * `discover` (one Airbyte CATALOG message) and `--discover` (the bare Singer catalog object).
 */
import { discoverStreams } from '../catalog/discover.js';
import type { StreamDefinition } from '../catalog/types.js';
import { buildStreamFilter } from '../config/stream-filter.js';
import { buildCatalogMessage } from '../protocol/airbyte/messages.js';
import { encodeAirbyteStreams } from '../protocol/airbyte/catalog.js';
import { encodeSingerCatalog } from '../protocol/singer/catalog.js';
import type { CommandContext } from './context.js';

export async function discoverDefinitions(ctx: CommandContext): Promise<StreamDefinition[]> {
  const client = await ctx.client();
  const started = Date.now();
  const definitions = await discoverStreams(client, {
    keep: buildStreamFilter(ctx.config.streamsInclude, ctx.config.streamsExclude),
    concurrency: ctx.config.describeConcurrency,
    log: (level, message) => ctx.logger.log(level, message),
    signal: ctx.signal,
  });
  ctx.logger.info(`Discovered ${definitions.length} streams in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  return definitions;
}

export async function runDiscover(ctx: CommandContext): Promise<void> {
  const definitions = await discoverDefinitions(ctx);
  if (ctx.protocol === 'airbyte') await ctx.out.writeMessage(buildCatalogMessage({ streams: encodeAirbyteStreams(definitions) }));
  else await ctx.out.writeMessage(encodeSingerCatalog(definitions));
  await ctx.out.flush();
}
