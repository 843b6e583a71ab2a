/**
 * What every reader shares: the SELECT of a read request (window, the stream's own conditions),
 * wide objects read as several column slices joined back by Id, and rows a slice missed
 * completed by Id through REST. The readers themselves: bulk2-reader.ts, rest-reader.ts.
 */
import type { StreamDefinition } from '../catalog/types.js';
import type { SalesforceClient } from '../salesforce/client.js';
import { TapError } from '../core/errors.js';
import { iterateRestQuery, type RestQueryPage } from '../salesforce/rest-query.js';
import { buildSelect, type SelectSpec } from '../salesforce/soql.js';
import type { RecordBatch, RecordEnvelope } from './events.js';
import { PartJoiner } from './join-parts.js';
import type { ReadRequest } from './read-apis.js';
import type { OutputField, ReadPlan } from './read-plan.js';
import type { DownloadConnections } from './download-connections.js';
import type { DecoderSpec } from './records/page-decoder.js';
import { fromRestRecord } from './records/rest-record.js';
import { createValueIssues } from './records/value-kinds.js';

export interface ReaderSettings {
  maxRecords: number;
  restBatchSize: number;
  includeDeleted: boolean;
  streamWhere: Record<string, string>;
  resultPageConcurrency: number;
  /** The run's budget of download connections, shared by every Bulk download. */
  connections?: DownloadConnections;
  bulkJobTimeoutMs: number;
  pollInitialMs: number;
  pollMaxMs: number;
  log(level: 'debug' | 'info' | 'warn', message: string): void;
  /** The protocol's envelope per stream name: Bulk's fast path then emits whole messages. */
  envelope?: (stream: string) => RecordEnvelope;
}

const ID_CHUNK = 200;
/** Rows of a REST page handed on together: small enough to be written before they outlive a young-generation collection. */
const REST_BATCH_ROWS = 250;

/** A stream's own conditions: a custom query's WHERE and the user's `stream_where`, ANDed. */
export function streamCondition(definition: StreamDefinition, streamWhere: Record<string, string>): string | undefined {
  const parts = [definition.filter, streamWhere[definition.name]].filter((p): p is string => p !== undefined && p.trim() !== '');
  return parts.length > 1 ? parts.map((p) => `(${p})`).join(' AND ') : parts[0];
}

export function selectSpec(request: ReadRequest, settings: ReaderSettings): SelectSpec {
  const { stream, plan, window } = request;
  const where = streamCondition(stream.definition, settings.streamWhere);
  return {
    sobject: stream.definition.sobject,
    columns: plan.columns.map((c) => c.name),
    ...(where ? { where } : {}),
    ...(window && stream.replicationKey ? { window: { field: stream.replicationKey, start: window.start, end: window.end } } : {}),
  };
}

export const wantsDeleted = (request: ReadRequest, settings: ReaderSettings) => settings.includeDeleted && request.stream.definition.hasIsDeleted;

/** A column slice's own shape: its columns as plain outputs (compounds are rebuilt after the join). */
export function partShape(plan: ReadPlan, columns: string[]): Pick<DecoderSpec, 'columns' | 'output'> {
  const kinds = new Map(plan.columns.map((c) => [c.name, c.kind]));
  return { columns: columns.map((name) => ({ name, kind: kinds.get(name) ?? 'string' })), output: columns.map((name, column) => ({ name, column })) };
}

/** Turns a joined row (typed values by column name) into the stream's record. */
export function toOutput(plan: ReadPlan, row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of plan.output as OutputField[]) {
    if ('column' in field) out[field.name] = row[plan.columns[field.column]!.name] ?? null;
    else {
      const value: Record<string, unknown> = {};
      let any = false;
      for (const [key, column] of Object.entries(field.components)) {
        const v = row[plan.columns[column]!.name] ?? null;
        value[key] = v;
        if (v !== null) any = true;
      }
      out[field.name] = any ? value : null;
    }
  }
  return out;
}

export interface IncompleteRow {
  id: string;
  record: Record<string, unknown>;
  /** Slices that never delivered the row. */
  missing: number[];
}

/** Reads every part in turn, one batch at a time, so the joiner holds few rows when parts are ordered alike. */
export async function* joinParts(parts: AsyncIterator<Record<string, unknown>[]>[], plan: ReadPlan, complete: (rows: IncompleteRow[]) => Promise<Record<string, unknown>[]>): AsyncIterable<RecordBatch> {
  const joiner = new PartJoiner(parts.length);
  const live = new Set(parts.map((_, i) => i));
  while (live.size > 0) {
    for (const i of [...live]) {
      const next = await parts[i]!.next();
      if (next.done) {
        live.delete(i);
        continue;
      }
      const joined = joiner.add(i, next.value);
      if (joined.length > 0) yield { count: joined.length, objects: joined.map((r) => toOutput(plan, r)) };
    }
  }
  const incomplete = joiner.incomplete();
  if (incomplete.length > 0) {
    const all = parts.map((_, i) => i);
    const rows = await complete(incomplete.map((r) => ({ id: r.id, record: r.record, missing: all.filter((p) => !r.parts.includes(p)) })));
    if (rows.length > 0) yield { count: rows.length, objects: rows.map((r) => toOutput(plan, r)) };
  }
}

/**
 * A REST query's pages. `firstPage`: the first page from elsewhere (a Composite request). Stops
 * before any row when the query holds more than `request.maxRows`.
 */
async function* restPages(client: SalesforceClient, settings: ReaderSettings, soql: string, request: ReadRequest, firstPage?: () => Promise<RestQueryPage>): AsyncIterable<RestQueryPage> {
  let estimated = false;
  const queryAll = wantsDeleted(request, settings);
  for await (const page of iterateRestQuery(client, soql, { queryAll, batchSize: settings.restBatchSize, signal: request.signal, splitRecords: true, ...(firstPage ? { firstPage } : {}) })) {
    if (!estimated) {
      if (request.maxRows !== undefined && page.totalSize > request.maxRows) {
        throw new TapError('TAP_TOO_MANY_ROWS', `${request.stream.definition.name}: the window holds ${page.totalSize} rows, more than the ${request.maxRows} read through REST.`, { kind: 'salesforce' });
      }
      request.onEstimate(page.totalSize);
      estimated = true;
    }
    yield page;
  }
}

/** Rows as typed objects (column slices are joined as objects), a slice of a page at a time. */
export async function* readRestRows(client: SalesforceClient, settings: ReaderSettings, soql: string, shape: Pick<DecoderSpec, 'columns' | 'output'>, request: ReadRequest, firstPage?: () => Promise<RestQueryPage>): AsyncIterable<Record<string, unknown>[]> {
  const issues = createValueIssues();
  for await (const page of restPages(client, settings, soql, request, firstPage)) {
    let batch: Record<string, unknown>[] = [];
    for (const record of page.records) {
      batch.push(fromRestRecord(record, shape, issues));
      if (batch.length === REST_BATCH_ROWS) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }
}

/**
 * Rows as JSON lines, inside the protocol's envelope where the settings give one. Each record is
 * serialized as soon as it is parsed, so what waits to be written is compact text, not objects
 * that outlive young-generation collections and grow the old one (REST's memory, as Bulk's).
 */
export async function* readRestLines(client: SalesforceClient, settings: ReaderSettings, soql: string, shape: Pick<DecoderSpec, 'columns' | 'output'>, request: ReadRequest, firstPage?: () => Promise<RestQueryPage>): AsyncIterable<RecordBatch> {
  const issues = createValueIssues();
  const envelope = settings.envelope?.(request.stream.definition.name);
  const prefix = envelope?.prefix ?? '';
  const batch = (text: string, count: number): RecordBatch => ({ count, json: Buffer.from(text), ...(envelope ? { framed: true } : {}) });
  for await (const page of restPages(client, settings, soql, request, firstPage)) {
    let text = '';
    let count = 0;
    let suffix = envelope?.suffix() ?? '';
    for (const record of page.records) {
      text += `${prefix}${JSON.stringify(fromRestRecord(record, shape, issues))}${suffix}\n`;
      if (++count === REST_BATCH_ROWS) {
        yield batch(text, count);
        text = '';
        count = 0;
        suffix = envelope?.suffix() ?? '';
      }
    }
    if (count > 0) yield batch(text, count);
  }
}

/** Rows some slice missed: their missing slices fetched by Id (no window: the row moved out of it). */
export async function completeRowsById(client: SalesforceClient, settings: ReaderSettings, request: ReadRequest, partColumns: string[][], rows: IncompleteRow[]): Promise<Record<string, unknown>[]> {
  settings.log('warn', `${request.stream.definition.name}: ${rows.length} row(s) changed while the column slices were read; completing them by Id`);
  const byId = new Map(rows.map((r) => [r.id, { ...r.record }]));
  for (let p = 0; p < partColumns.length; p += 1) {
    const ids = rows.filter((r) => r.missing.includes(p)).map((r) => r.id);
    for (let i = 0; i < ids.length; i += ID_CHUNK) {
      const list = ids.slice(i, i + ID_CHUNK).map((id) => `'${id}'`).join(',');
      const soql = buildSelect({ sobject: request.stream.definition.sobject, columns: partColumns[p]!, where: `Id IN (${list})` });
      for await (const batch of readRestRows(client, settings, soql, partShape(request.plan, partColumns[p]!), request)) {
        for (const record of batch) Object.assign(byId.get(record.Id as string) ?? {}, record);
      }
    }
  }
  return [...byId.values()];
}
