/**
 * What the tap's reads are held against in `npm run bench`: the byte ceiling (a job's result pages
 * fetched and transcoded with no per-record work and no protocol envelope, plain or gzipped) and
 * jsforce's `bulk2.query`; and the small REST client both use.
 */
import { request } from 'undici';
import { PassThrough } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { createPageDecoder } from '../src/sync/records/page-decoder.js';
import type { ValueKind } from '../src/catalog/types.js';
import type { EmulatorInfo, Result } from './tap-process.js';

const API = '65.0';
const COLUMNS = 60;
/**
 * A connection per request: spawnSync blocks this process for a whole tap run, long enough for
 * the emulator to close an idle kept-alive socket that undici would then reuse ("other side closed").
 */
const FRESH_CONNECTION = { reset: true } as const;

export interface Session {
  token: string;
  instance: string;
}

export async function login(info: EmulatorInfo): Promise<Session> {
  const body = new URLSearchParams({
    grant_type: 'password', client_id: info.client_id, client_secret: info.client_secret,
    username: info.username, password: info.password + info.security_token,
  }).toString();
  const res = await request(`${info.login_url}/services/oauth2/token`, { ...FRESH_CONNECTION, method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const json = (await res.body.json()) as { access_token: string; instance_url: string };
  return { token: json.access_token, instance: json.instance_url };
}

async function api<T>(session: Session, path: string, init: { method?: 'GET' | 'POST'; body?: unknown } = {}): Promise<T> {
  const res = await request(`${session.instance}${path}`, {
    ...FRESH_CONNECTION,
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${session.token}`, 'content-type': 'application/json', accept: 'application/json' },
    ...(init.body ? { body: JSON.stringify(init.body) } : {}),
  });
  const text = await res.body.text();
  if (res.statusCode >= 300) throw new Error(`${path}: ${res.statusCode} ${text}`);
  return JSON.parse(text) as T;
}

interface Field {
  name: string;
  type: string;
}

/** The first 60 Account columns Bulk can select: the benchmark's 60-column object. */
export async function benchColumns(session: Session): Promise<{ name: string; kind: ValueKind }[]> {
  const describe = await api<{ fields: Field[] }>(session, `/services/data/v${API}/sobjects/Account/describe`);
  const kind = (t: string): ValueKind =>
    t === 'boolean' ? 'boolean' : t === 'int' ? 'integer' : ['double', 'currency', 'percent', 'long'].includes(t) ? 'number'
      : t === 'datetime' ? 'datetime' : t === 'date' ? 'date' : t === 'time' ? 'time' : 'string';
  return describe.fields.filter((f) => !['address', 'location', 'base64'].includes(f.type)).slice(0, COLUMNS).map((f) => ({ name: f.name, kind: kind(f.type) }));
}

async function runBulkJob(session: Session, soql: string): Promise<string> {
  const job = await api<{ id: string }>(session, `/services/data/v${API}/jobs/query`, { method: 'POST', body: { operation: 'queryAll', query: soql } });
  for (;;) {
    const info = await api<{ state: string }>(session, `/services/data/v${API}/jobs/query/${job.id}`);
    if (info.state === 'JobComplete') return job.id;
    if (info.state === 'Failed' || info.state === 'Aborted') throw new Error(`job ${info.state}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Downloads one result page (gzipped if asked) and feeds its CSV to `onChunk`; returns the next locator. */
async function fetchPage(session: Session, url: string, gzip: boolean, onChunk: (b: Buffer) => void): Promise<string | undefined> {
  const res = await request(`${session.instance}${url}`, { ...FRESH_CONNECTION, headers: { authorization: `Bearer ${session.token}`, accept: 'text/csv', ...(gzip ? { 'accept-encoding': 'gzip' } : {}) } });
  // As the tap does (send-request.ts): gunzip's 16 KiB input buffer alone makes undici copy the unread page again at every resume.
  const body = res.headers['content-encoding'] === 'gzip' ? res.body.pipe(new PassThrough({ highWaterMark: 64 * 1024 })).pipe(createGunzip({ chunkSize: 64 * 1024 })) : res.body;
  for await (const chunk of body) onChunk(chunk as Buffer);
  const locator = res.headers['sforce-locator'];
  return typeof locator === 'string' && locator !== 'null' && locator !== '' ? locator : undefined;
}

/** The byte ceiling: the job's pages fetched and transcoded with nothing else; `gzip`: fetched compressed, as a real org sends them. */
export async function ceiling(session: Session, columns: { name: string; kind: ValueKind }[], gzip = false): Promise<Result> {
  const soql = `SELECT ${columns.map((c) => c.name).join(', ')} FROM Account`;
  const jobId = await runBulkJob(session, soql);
  const started = process.hrtime.bigint();
  let records = 0;
  let bytes = 0;
  let locator: string | undefined = '';
  while (locator !== undefined) {
    const decoder = createPageDecoder({ columns, output: columns.map((c, i) => ({ name: c.name, column: i })), mode: 'json' });
    const query: string = `maxRecords=100000${locator ? `&locator=${locator}` : ''}`;
    locator = await fetchPage(session, `/services/data/v${API}/jobs/query/${jobId}/results?${query}`, gzip, (chunk) => {
      bytes += chunk.length;
      records += decoder.push(chunk).count;
    });
    records += decoder.end().count;
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { name: `ceiling: fetch + byte transcode${gzip ? ', gzip' : ''}`, records, seconds, recordsPerSecond: records / seconds, mbPerSecond: bytes / 1e6 / seconds };
}

export async function jsforceReader(info: EmulatorInfo, columns: { name: string }[]): Promise<Result> {
  const jsforce = (await import('jsforce')) as unknown as { Connection: new (o: object) => JsforceConnection };
  // OAuth2 password flow: jsforce's plain login() is SOAP, which API 65.0 no longer has.
  const conn = new jsforce.Connection({ oauth2: { loginUrl: info.login_url, clientId: info.client_id, clientSecret: info.client_secret }, version: API });
  await conn.login(info.username, info.password + info.security_token);
  const started = process.hrtime.bigint();
  let records = 0;
  let bytes = 0;
  // jsforce parses every page as one CSV: each later page's header comes out as a record.
  let headers = 0;
  const stream = await conn.bulk2.query(`SELECT ${columns.map((c) => c.name).join(', ')} FROM Account`, { scanAll: true });
  await new Promise<void>((resolve, reject) => {
    stream.on('record', (record: { Id?: unknown }) => {
      bytes += JSON.stringify(record).length + 1;
      if (record.Id === 'Id') headers += 1;
      else records += 1;
    });
    stream.on('end', () => resolve());
    stream.on('error', reject);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    name: 'jsforce bulk2.query + JSON.stringify', records, seconds, recordsPerSecond: records / seconds, mbPerSecond: bytes / 1e6 / seconds,
    ...(headers > 0 ? { note: `also emitted ${headers} page header(s) as records` } : {}),
  };
}

interface JsforceConnection {
  login(username: string, password: string): Promise<unknown>;
  bulk2: { query(soql: string, options: object): Promise<NodeJS.EventEmitter> };
}
