/**
 * Discovery: describeGlobal, then each kept object described through `/composite`, 25 per call
 * (Salesforce counts each Composite request as one API call, where `/composite/batch` counts
 * every subrequest) and several calls at once, so a large org takes a few round trips. Objects that cannot be
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

interface CompositeResponse {
  compositeResponse: { body: unknown; httpStatusCode: number; referenceId: string }[];
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
        const response = await client.json<CompositeResponse>('composite', {
          method: 'POST',
          // Describes are reads: replaying the request after a network failure is safe.
          idempotent: true,
          shape: { compositeResponse: 'array' },
          body: { allOrNone: false, compositeRequest: batch.map((name, i) => ({ method: 'GET', url: `/services/data/v${client.apiVersion}/sobjects/${name}/describe`, referenceId: `d${i}` })) },
          ...(options.signal ? { signal: options.signal } : {}),
        });
        const byRef = new Map((Array.isArray(response?.compositeResponse) ? response.compositeResponse : []).map((r) => [r?.referenceId, r]));
        batch.forEach((name, i) => {
          const result = byRef.get(`d${i}`);
          if (!result) {
            throw new TapError('TAP_UNEXPECTED_RESPONSE', `composite: Salesforce answered without the describe of ${name} asked for; the reply is not the Composite format (a proxy?).`, { kind: 'salesforce' });
          }
          if (result.httpStatusCode === 200) {
            checkReplyShape(result.body, { name: 'string', fields: 'array' }, `POST composite (describe of ${name})`);
            out.push(result.body as DescribeResult);
          } else {
            const detail = Array.isArray(result.body) ? (result.body as { errorCode?: string; message?: string }[]).map((e) => `${e.errorCode}: ${e.message}`).join('; ') : `HTTP ${result.httpStatusCode}`;
            options.log('warn', `Skipped ${name}: its describe failed (${detail})`);
          }
        });
      }),
    ),
  );
  return out;
}
