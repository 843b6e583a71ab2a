/**
 * The REST reader: one window (or the whole table) through `query` / `queryAll`, following
 * `nextRecordsUrl`. It serves every object and every field, so it is the last fallback.
 */
import type { SalesforceClient } from '../salesforce/client.js';
import type { CompositeBatcher } from '../salesforce/composite-batcher.js';
import { buildSelect, MAX_REST_SOQL_URL_CHARS, splitColumns } from '../salesforce/soql.js';
import type { ReadApi, WindowReader } from './read-apis.js';
import { completeRowsById, joinParts, partShape, readRestLines, readRestRows, selectSpec, wantsDeleted, type ReaderSettings } from './readers.js';

/** `batcher`: first pages go out in Composite requests shared with other streams' queries. */
export function createRestReader(client: SalesforceClient, settings: ReaderSettings, batcher?: CompositeBatcher): WindowReader {
  return async function* (request) {
    const spec = selectSpec(request, settings);
    const parts = splitColumns(spec, MAX_REST_SOQL_URL_CHARS, (soql) => encodeURIComponent(soql).length);
    if (parts.length === 1) {
      const soql = buildSelect(spec);
      const first = batcher ? () => batcher.firstPage(soql, wantsDeleted(request, settings)) : undefined;
      yield* readRestLines(client, settings, soql, request.plan, request, first);
      return;
    }
    const iterators = parts.map((columns) => readRestRows(client, settings, buildSelect({ ...spec, columns, orderBy: 'Id' }), partShape(request.plan, columns), request)[Symbol.asyncIterator]());
    yield* joinParts(iterators, request.plan, (rows) => completeRowsById(client, settings, request, parts, rows));
  };
}

export function restApi(read: WindowReader): ReadApi {
  return { id: 'rest', label: 'REST', read };
}

/** REST with first pages batched in Composite requests: where Bulk sends windows with few rows. */
export function compositeApi(read: WindowReader): ReadApi {
  return { id: 'composite', label: 'REST (Composite)', read };
}
