import type { FieldValue, PreparedQuery } from '../org/types.js';
import { toId18 } from './ids.js';
import { immutableJsonReply, jsonReply, notFound, sfError, emptyReply, type Reply } from './reply.js';
import { renderQueryColumns } from './query-columns.js';
import { renderQueryRow, renderRecord } from './render-rest.js';
import { header, type RequestContext } from './state.js';

const SEASONS = ['Winter', 'Spring', 'Summer'] as const;

/** `62.0` → `Winter '25`: three releases a year, Winter first. */
export function releaseLabel(version: number): string {
  const k = version - 62;
  const season = SEASONS[((k % 3) + 3) % 3]!;
  const year = 25 + Math.floor(k / 3);
  return `${season} '${String(year).padStart(2, '0')}`;
}

/** GET /services/data/ — no auth, oldest first. */
export function handleVersions(ctx: RequestContext): Reply {
  const { minApiVersion, maxApiVersion } = ctx.state.settings;
  const list = [];
  for (let v = minApiVersion; v <= maxApiVersion; v++) {
    list.push({ label: releaseLabel(v), url: `/services/data/v${v}.0`, version: `${v}.0` });
  }
  return jsonReply(200, list);
}

/** GET /services/data/vNN.0: the resources this emulator serves under the version, and no others. */
export function handleResources(ctx: RequestContext): Reply {
  const base = `/services/data/v${ctx.version}`;
  const { org, urls } = ctx.state;
  return jsonReply(200, {
    composite: `${base}/composite`,
    identity: `${urls.loginUrl}/id/${toId18(org.orgId)}/${org.userId}`,
    jobs: `${base}/jobs`,
    limits: `${base}/limits`,
    query: `${base}/query`,
    queryAll: `${base}/queryAll`,
    sobjects: `${base}/sobjects`,
  });
}

export function handleDescribeGlobal(ctx: RequestContext): Reply {
  return jsonReply(200, ctx.state.org.describeGlobal(ctx.version));
}

export function handleDescribe(ctx: RequestContext): Reply {
  const describe = ctx.state.org.describe(ctx.params['sobject']!, ctx.version);
  if (!describe) return notFound();
  const modified = ctx.state.settings.schemaLastModified;
  const lastModified = { 'Last-Modified': modified.toUTCString() };
  const since = header(ctx, 'if-modified-since');
  if (since !== undefined) {
    const at = Date.parse(since);
    if (!Number.isNaN(at) && modified.getTime() <= at) return emptyReply(304, lastModified);
  }
  return immutableJsonReply(200, describe, lastModified);
}

/** GET /sobjects/{name}: basic information and recent items. */
export function handleSObjectInfo(ctx: RequestContext): Reply {
  const name = ctx.params['sobject']!;
  const entry = ctx.state.org.describeGlobal(ctx.version).sobjects.find((s) => s.name.toLowerCase() === name.toLowerCase());
  if (!entry) return notFound();
  return jsonReply(200, { objectDescribe: entry, recentItems: [] });
}

/** The record body of a create or update, or undefined when it is not a JSON object. */
function parseFields(ctx: RequestContext): Record<string, FieldValue> | undefined {
  try {
    const value: unknown = JSON.parse(ctx.body.toString('utf8') || 'null');
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, FieldValue>;
  } catch {
    // not JSON: the caller answers JSON_PARSER_ERROR
  }
  return undefined;
}

const notAnObject = (): Reply => sfError(400, 'JSON_PARSER_ERROR', 'The request body is not a JSON object.');

function canonicalName(ctx: RequestContext): string | undefined {
  return ctx.state.org.describe(ctx.params['sobject']!, ctx.version)?.name;
}

export function handleCreate(ctx: RequestContext): Reply {
  const type = canonicalName(ctx);
  if (!type) return notFound();
  const fields = parseFields(ctx);
  if (!fields) return notAnObject();
  const { id } = ctx.state.org.create(type, fields);
  return jsonReply(201, { id, success: true, errors: [] }, { Location: `/services/data/v${ctx.version}/sobjects/${type}/${id}` });
}

export function handleGetRecord(ctx: RequestContext): Reply {
  const type = canonicalName(ctx);
  if (!type) return notFound();
  const describe = ctx.state.org.describe(type, ctx.version)!;
  const id = ctx.params['id']!;
  const values = ctx.state.org.getRecord(type, id);
  if (!values) return notFound();
  const wanted = ctx.query.get('fields');
  let fields = describe.fields;
  if (wanted) {
    const names = new Set(wanted.split(',').map((f) => f.trim().toLowerCase()));
    fields = fields.filter((f) => names.has(f.name.toLowerCase()));
  }
  return jsonReply(200, renderRecord(ctx.version!, type, String(values['Id'] ?? id), values, fields));
}

/** GET /sobjects/{name}/{id}/{field}: the raw content of a base64 field. */
export function handleBlob(ctx: RequestContext): Reply {
  const type = canonicalName(ctx);
  if (!type) return notFound();
  const field = ctx.state.org.describe(type, ctx.version)!.fields.find((f) => f.name.toLowerCase() === ctx.params['field']!.toLowerCase());
  if (!field || field.type !== 'base64') return notFound();
  const value = ctx.state.org.getRecord(type, ctx.params['id']!)?.[field.name];
  if (typeof value !== 'string') return notFound();
  return { status: 200, headers: { 'Content-Type': 'application/octetstream' }, body: Buffer.from(value, 'base64') };
}

export function handleUpdate(ctx: RequestContext): Reply {
  const type = canonicalName(ctx);
  if (!type) return notFound();
  const fields = parseFields(ctx);
  if (!fields) return notAnObject();
  ctx.state.org.update(type, ctx.params['id']!, fields);
  return emptyReply(204);
}

export function handleDelete(ctx: RequestContext): Reply {
  const type = canonicalName(ctx);
  if (!type) return notFound();
  ctx.state.org.delete(type, ctx.params['id']!);
  return emptyReply(204);
}

function requireStartEnd(ctx: RequestContext): [string, string] | Reply {
  const start = ctx.query.get('start');
  const end = ctx.query.get('end');
  if (!start || !end) return sfError(400, 'MISSING_ARGUMENT', `${!start ? 'start' : 'end'} not specified`);
  return [start, end];
}

export function handleGetDeleted(ctx: RequestContext): Reply {
  const type = canonicalName(ctx);
  if (!type) return notFound();
  const range = requireStartEnd(ctx);
  if (!Array.isArray(range)) return range;
  return jsonReply(200, ctx.state.org.getDeleted(type, range[0], range[1]));
}

export function handleGetUpdated(ctx: RequestContext): Reply {
  const type = canonicalName(ctx);
  if (!type) return notFound();
  const range = requireStartEnd(ctx);
  if (!Array.isArray(range)) return range;
  return jsonReply(200, ctx.state.org.getUpdated(type, range[0], range[1]));
}

/** `Sforce-Query-Options: batchSize=N`: a hint, clamped to 200..2000, default 2000. */
function batchSizeOf(ctx: RequestContext): number {
  const options = header(ctx, 'sforce-query-options') ?? '';
  const match = /batchSize\s*=\s*(\d+)/i.exec(options);
  if (!match) return 2000;
  return Math.min(2000, Math.max(200, Number(match[1])));
}

function queryPage(ctx: RequestContext, query: PreparedQuery, offset: number, batchSize: number, cursorId?: string): Reply {
  const total = query.totalSize();
  if (query.isCount) return jsonReply(200, { totalSize: total, done: true, records: [] });
  const records: Record<string, unknown>[] = [];
  for (const row of query.rows(offset)) {
    if (records.length >= batchSize) break;
    records.push(renderQueryRow(ctx.version!, query, row));
  }
  const next = offset + records.length;
  const done = next >= total;
  let id = cursorId;
  if (!done && id === undefined) id = ctx.state.cursors.open(query, batchSize).id;
  const body = done
    ? { totalSize: total, done: true, records }
    : { totalSize: total, done: false, nextRecordsUrl: `/services/data/v${ctx.version}/query/${id}-${next}`, records };
  return jsonReply(200, body);
}

/** GET /query?q= and /queryAll?q=. */
export function handleQuery(ctx: RequestContext, includeDeleted: boolean): Reply {
  const soql = ctx.query.get('q');
  if (soql === null || soql.trim() === '') return sfError(400, 'MALFORMED_QUERY', 'A query string has to be specified');
  const query = ctx.state.org.prepareQuery(soql, { includeDeleted });
  if (ctx.query.get('columns') === 'true') {
    return jsonReply(200, renderQueryColumns(query, ctx.state.org.describe(query.sobject)?.keyPrefix ?? null));
  }
  return queryPage(ctx, query, 0, batchSizeOf(ctx));
}

/** GET /query/{locator}-{offset}: the next page of an open cursor. */
export function handleQueryMore(ctx: RequestContext): Reply {
  const match = /^(.+)-(\d+)$/.exec(ctx.params['locator']!);
  const cursor = match ? ctx.state.cursors.get(match[1]!) : undefined;
  if (!match || !cursor) return sfError(400, 'INVALID_QUERY_LOCATOR', 'invalid query locator');
  return queryPage(ctx, cursor.query, Number(match[2]), cursor.batchSize, cursor.id);
}

const NO_SETUP_ACCESS = 'The user does not have the "View Setup and Configuration" permission required to access this resource.';

export function handleLimits(ctx: RequestContext): Reply {
  if (!ctx.state.settings.limitsAccess) return sfError(403, 'INSUFFICIENT_ACCESS', NO_SETUP_ACCESS);
  return jsonReply(200, ctx.state.usage.limits());
}

/** Objects the Record Count resource leaves out, as Salesforce documents: change events, feeds, history and sharing. */
const UNCOUNTED = /(ChangeEvent|Feed|History|Share)$/;

/**
 * GET /limits/recordCount[?sObjects=A,B]: rows per object, recycle-bin rows left out. Names the org
 * does not have are ignored; without `sObjects`, every counted object. Salesforce serves a cached
 * snapshot; the emulator counts now.
 */
export function handleRecordCount(ctx: RequestContext): Reply {
  if (!ctx.state.settings.limitsAccess) return sfError(403, 'INSUFFICIENT_ACCESS', NO_SETUP_ACCESS);
  const { org } = ctx.state;
  const listed = ctx.query.get('sObjects');
  const names = listed === null ? org.describeGlobal(ctx.version).sobjects.filter((s) => s.queryable).map((s) => s.name) : listed.split(',').map((n) => n.trim()).filter(Boolean);
  const sObjects: { count: number; name: string }[] = [];
  for (const name of names) {
    const describe = org.describe(name, ctx.version);
    if (!describe || !describe.queryable || UNCOUNTED.test(describe.name)) continue;
    sObjects.push({ count: org.prepareQuery(`SELECT COUNT() FROM ${describe.name}`, { includeDeleted: false }).totalSize(), name: describe.name });
  }
  return jsonReply(200, { sObjects });
}
