/**
 * Discovery: describeGlobal, then each kept object described through `/composite/batch`, 25 per
 * call and several calls at once, so a large org takes a few round trips. Objects that cannot be
 * queried are skipped with the reason logged; an object whose describe fails is skipped with a
 * warning, never fatal.
 */
import PQueue from 'p-queue';
import { TapError } from '../core/errors.js';
import type { SalesforceClient } from '../salesforce/client.js';
import { checkReplyShape } from '../salesforce/reply-shape.js';
import { buildStreamDefinition, skipReason, type DescribeResult } from './build-stream.js';
import type { StreamDefinition } from './types.js';

const BATCH = 25;

export interface DiscoverOptions {
  /** Stream-name filter (include/exclude patterns), applied before any describe. */
  keep(name: string): boolean;
  concurrency: number;
  log(level: 'debug' | 'info' | 'warn', message: string): void;
  signal?: AbortSignal;
}

interface GlobalEntry {
  name: string;
  queryable?: boolean;
  deprecatedAndHidden?: boolean;
}

interface BatchResponse {
  hasErrors: boolean;
  results: { statusCode: number; result: unknown }[];
}

export async function discoverStreams(client: SalesforceClient, options: DiscoverOptions): Promise<StreamDefinition[]> {
  const global = await client.json<{ sobjects: GlobalEntry[] }>('sobjects', { shape: { sobjects: 'array' }, ...(options.signal ? { signal: options.signal } : {}) });
  const wanted: string[] = [];
  const skipped = new Map<string, string[]>();
  for (const entry of global.sobjects) {
    const reason = skipReason(entry);
    if (reason) skipped.set(reason, [...(skipped.get(reason) ?? []), entry.name]);
    else if (options.keep(entry.name)) wanted.push(entry.name);
  }
  for (const [reason, names] of skipped) {
    options.log('info', `Skipped ${names.length} object(s): ${reason}: ${names.slice(0, 10).join(', ')}${names.length > 10 ? ', …' : ''}`);
  }

  const describes = await describeObjects(client, wanted, options);
  return describes.map(buildStreamDefinition).sort((a, b) => a.name.localeCompare(b.name));
}

/** Describes objects by name; failures are logged and left out. */
export async function describeObjects(client: SalesforceClient, names: string[], options: DiscoverOptions): Promise<DescribeResult[]> {
  const queue = new PQueue({ concurrency: Math.max(1, options.concurrency) });
  const out: DescribeResult[] = [];
  const batches: string[][] = [];
  for (let i = 0; i < names.length; i += BATCH) batches.push(names.slice(i, i + BATCH));
  await Promise.all(
    batches.map((batch) =>
      queue.add(async () => {
        const response = await client.json<BatchResponse>('composite/batch', {
          method: 'POST',
          // Describes are reads: replaying the batch after a network failure is safe.
          idempotent: true,
          shape: { hasErrors: 'boolean?', results: 'array' },
          body: { batchRequests: batch.map((name) => ({ method: 'GET', url: `v${client.apiVersion}/sobjects/${name}/describe` })), haltOnError: false },
          ...(options.signal ? { signal: options.signal } : {}),
        });
        if (!Array.isArray(response?.results) || response.results.length !== batch.length) {
          throw new TapError('TAP_UNEXPECTED_RESPONSE', `composite/batch: Salesforce answered without the ${batch.length} describe results asked for; the reply is not the composite batch format (a proxy?).`, { kind: 'salesforce' });
        }
        response.results.forEach((result, i) => {
          if (result.statusCode === 200) {
            checkReplyShape(result.result, { name: 'string', fields: 'array' }, `POST composite/batch (describe of ${batch[i]})`);
            out.push(result.result as DescribeResult);
          } else {
            const detail = Array.isArray(result.result) ? (result.result as { errorCode?: string; message?: string }[]).map((e) => `${e.errorCode}: ${e.message}`).join('; ') : `HTTP ${result.statusCode}`;
            options.log('warn', `Skipped ${batch[i]}: its describe failed (${detail})`);
          }
        });
      }),
    ),
  );
  return out;
}
