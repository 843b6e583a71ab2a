import { resolveAsyncRoute } from './bulk1/routes.js';
import { handleAbortJob, handleCreateJob, handleDeleteJob, handleGetJob, handleListJobs, handleResultPages, handleResults } from './bulk-routes.js';
import { handleCompositeBatch } from './composite.js';
import { handleEmptyRecycleBin, handleHardDelete } from './control.js';
import { handleIdentity, handleUserInfo } from './identity.js';
import { handleComposite } from './composite-request.js';
import type { HostKind } from './journal.js';
import { handleAuthorize, handleToken } from './oauth.js';
import * as rest from './rest.js';
import { handleSoapLogin } from './soap-login.js';
import type { Handler } from './state.js';

interface RouteDef {
  pattern: RegExp;
  /** method → [route name, handler] */
  methods: Record<string, [string, Handler]>;
}

export interface ResolvedRoute {
  name: string;
  handler?: Handler;
  params: Record<string, string>;
  /** `62.0` for data routes. */
  version?: string;
  /** Data routes need a session and count against the org's limits. */
  data: boolean;
  /** When there is no handler: 404, 405 (with the allowed methods) or 410. */
  status?: number;
  allowed?: string[];
}

const ID = '([a-zA-Z0-9]{15}|[a-zA-Z0-9]{18})';
const NAME = '([A-Za-z][A-Za-z0-9_]*)';

/** Routes under `/services/data/vNN.0`, in match order. */
const DATA_ROUTES: RouteDef[] = [
  { pattern: /^\/?$/, methods: { GET: ['rest.resources', rest.handleResources] } },
  { pattern: /^\/sobjects\/?$/, methods: { GET: ['rest.describeGlobal', rest.handleDescribeGlobal] } },
  { pattern: new RegExp(`^/sobjects/${NAME}/describe/?$`), methods: { GET: ['rest.describe', rest.handleDescribe] } },
  { pattern: new RegExp(`^/sobjects/${NAME}/deleted/?$`), methods: { GET: ['rest.deleted', rest.handleGetDeleted] } },
  { pattern: new RegExp(`^/sobjects/${NAME}/updated/?$`), methods: { GET: ['rest.updated', rest.handleGetUpdated] } },
  {
    pattern: new RegExp(`^/sobjects/${NAME}/?$`),
    methods: { GET: ['rest.sobject', rest.handleSObjectInfo], POST: ['rest.create', rest.handleCreate] },
  },
  {
    pattern: new RegExp(`^/sobjects/${NAME}/${ID}/?$`),
    methods: {
      GET: ['rest.record', rest.handleGetRecord],
      PATCH: ['rest.update', rest.handleUpdate],
      DELETE: ['rest.delete', rest.handleDelete],
    },
  },
  { pattern: new RegExp(`^/sobjects/${NAME}/${ID}/${NAME}/?$`), methods: { GET: ['rest.blob', rest.handleBlob] } },
  { pattern: /^\/query\/?$/, methods: { GET: ['rest.query', (ctx) => rest.handleQuery(ctx, false)] } },
  { pattern: /^\/queryAll\/?$/, methods: { GET: ['rest.queryAll', (ctx) => rest.handleQuery(ctx, true)] } },
  { pattern: /^\/(?:query|queryAll)\/([^/]+-\d+)\/?$/, methods: { GET: ['rest.queryMore', rest.handleQueryMore] } },
  { pattern: /^\/limits\/?$/, methods: { GET: ['rest.limits', rest.handleLimits] } },
  { pattern: /^\/limits\/recordCount\/?$/, methods: { GET: ['rest.recordCount', rest.handleRecordCount] } },
  { pattern: /^\/composite\/batch\/?$/, methods: { POST: ['rest.compositeBatch', handleCompositeBatch] } },
  { pattern: /^\/composite\/?$/, methods: { POST: ['rest.composite', handleComposite] } },
  {
    pattern: /^\/jobs\/query\/?$/,
    methods: { POST: ['bulk.create', handleCreateJob], GET: ['bulk.list', handleListJobs] },
  },
  { pattern: /^\/jobs\/ingest\/?$/, methods: { GET: ['bulk.list', handleListJobs] } },
  {
    pattern: /^\/jobs\/query\/(750[a-zA-Z0-9]{12,15})\/?$/,
    methods: { GET: ['bulk.get', handleGetJob], PATCH: ['bulk.abort', handleAbortJob], DELETE: ['bulk.delete', handleDeleteJob] },
  },
  { pattern: /^\/jobs\/query\/(750[a-zA-Z0-9]{12,15})\/results\/?$/, methods: { GET: ['bulk.results', handleResults] } },
  {
    pattern: /^\/jobs\/query\/(750[a-zA-Z0-9]{12,15})\/result[pP]ages\/?$/,
    methods: { GET: ['bulk.resultPages', handleResultPages] },
  },
];

const PARAM_NAMES: Record<string, string[]> = {
  'rest.describe': ['sobject'],
  'rest.deleted': ['sobject'],
  'rest.updated': ['sobject'],
  'rest.sobject': ['sobject'],
  'rest.create': ['sobject'],
  'rest.record': ['sobject', 'id'],
  'rest.update': ['sobject', 'id'],
  'rest.delete': ['sobject', 'id'],
  'rest.blob': ['sobject', 'id', 'field'],
  'rest.queryMore': ['locator'],
  'bulk.get': ['jobId'],
  'bulk.abort': ['jobId'],
  'bulk.delete': ['jobId'],
  'bulk.results': ['jobId'],
  'bulk.resultPages': ['jobId'],
};

function matchTable(table: RouteDef[], method: string, rest: string): Omit<ResolvedRoute, 'data'> {
  for (const def of table) {
    const match = def.pattern.exec(rest);
    if (!match) continue;
    const entry = def.methods[method];
    if (!entry) {
      return { name: 'method-not-allowed', params: {}, status: 405, allowed: Object.keys(def.methods) };
    }
    const [name, handler] = entry;
    const params: Record<string, string> = {};
    (PARAM_NAMES[name] ?? []).forEach((key, i) => {
      if (match[i + 1] !== undefined) params[key] = decodeURIComponent(match[i + 1]!);
    });
    return { name, handler, params };
  }
  return { name: 'unknown', params: {}, status: 404 };
}

/** The emulator's own control routes (control.ts): no session, instance host only. */
const CONTROL_ROUTES: Record<string, [string, Handler]> = {
  '/_emulator/hard-delete': ['control.hardDelete', handleHardDelete],
  '/_emulator/empty-recycle-bin': ['control.emptyRecycleBin', handleEmptyRecycleBin],
};

/**
 * Maps a request to its named route. Logins work on every host; data calls only on the
 * instance (My Domain) host, which is what `instance_url` points at.
 */
export function resolveRoute(host: HostKind, method: string, path: string, minVersion: number, maxVersion: number): ResolvedRoute {
  if (path === '/services/oauth2/token') {
    return method === 'POST'
      ? { name: 'oauth.token', handler: handleToken, params: {}, data: false }
      : { name: 'method-not-allowed', params: {}, data: false, status: 405, allowed: ['POST'] };
  }
  if (path === '/services/oauth2/authorize') {
    return { name: 'oauth.authorize', handler: handleAuthorize, params: {}, data: false };
  }
  if (path === '/services/oauth2/userinfo' || path === '/services/oauth2/userinfo/') {
    return method === 'GET' || method === 'POST'
      ? { name: 'identity.userinfo', handler: handleUserInfo, params: {}, data: false }
      : { name: 'method-not-allowed', params: {}, data: false, status: 405, allowed: ['GET', 'POST'] };
  }
  const identity = new RegExp(`^/id/${ID}/${ID}/?$`).exec(path);
  if (identity) {
    return method === 'GET' || method === 'POST'
      ? { name: 'identity.id', handler: handleIdentity, params: { orgId: identity[1]!, userId: identity[2]! }, data: false }
      : { name: 'method-not-allowed', params: {}, data: false, status: 405, allowed: ['GET', 'POST'] };
  }
  const soap = /^\/services\/Soap\/([uc])\/(\d+)\.0(?:\/[A-Za-z0-9]+)?\/?$/.exec(path);
  if (soap) {
    return method === 'POST'
      ? { name: 'soap.login', handler: handleSoapLogin, params: { wsdl: soap[1]!, version: soap[2]! }, data: false }
      : { name: 'method-not-allowed', params: {}, data: false, status: 405, allowed: ['POST'] };
  }
  const control = CONTROL_ROUTES[path];
  if (control && host === 'instance') {
    return method === 'POST' ? { name: control[0], handler: control[1], params: {}, data: false } : { name: 'method-not-allowed', params: {}, data: false, status: 405, allowed: ['POST'] };
  }
  if (path === '/services/data' || path === '/services/data/') {
    return { name: 'rest.versions', handler: rest.handleVersions, params: {}, data: false };
  }
  const bulk1 = /^\/services\/async\/(\d+)\.0(\/.*)?$/.exec(path);
  if (bulk1 && host === 'instance') {
    const version = Number(bulk1[1]);
    if (version < minVersion || version > maxVersion) return { name: 'bulk1.invalidUrl', params: {}, data: false, status: 404 };
    return resolveAsyncRoute(method, bulk1[2] ?? '/', `${version}.0`);
  }
  const data = /^\/services\/data\/v(\d+)\.0(\/.*)?$/.exec(path);
  if (!data || host !== 'instance') return { name: 'unknown', params: {}, data: false, status: 404 };
  const version = Number(data[1]);
  if (version < minVersion) return { name: 'retired-version', params: {}, data: false, status: 410 };
  if (version > maxVersion) return { name: 'unknown', params: {}, data: false, status: 404 };
  return { ...matchTable(DATA_ROUTES, method, data[2] ?? '/'), data: true, version: `${version}.0` };
}
