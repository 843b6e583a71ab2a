import type { IncomingHttpHeaders } from 'node:http';
import type { EmulatedOrg } from '../org/org.js';
import type { BulkJobStore } from './bulk-jobs.js';
import type { AsyncJobStore } from './bulk1/jobs.js';
import type { BulkPageCache } from './bulk-page-cache.js';
import type { BulkResultSpool } from './bulk-result-spool.js';
import type { EmulatorCredentials } from './credentials.js';
import type { ActiveFault, FaultQueue } from './faults.js';
import type { HostKind, Journal } from './journal.js';
import type { QueryCursorStore } from './query-cursors.js';
import type { Reply } from './reply.js';
import type { Session, SessionStore } from './sessions.js';
import type { EmulatorSettings } from './settings.js';
import type { ApiUsage } from './api-usage.js';

export interface EmulatorUrls {
  /** Production-style login host (login.salesforce.com). */
  loginUrl: string;
  /** Sandbox login host (test.salesforce.com). */
  sandboxLoginUrl: string;
  /** My Domain host, which is also the instance every data call goes to. */
  instanceUrl: string;
}

/** Everything the handlers share: one per emulator. */
export interface EmulatorState {
  org: EmulatedOrg;
  settings: EmulatorSettings;
  credentials: EmulatorCredentials;
  sessions: SessionStore;
  journal: Journal;
  faults: FaultQueue;
  usage: ApiUsage;
  bulk: BulkJobStore;
  /** Bulk API 1.0 jobs and batches. */
  asyncJobs: AsyncJobStore;
  bulkPages: BulkPageCache;
  /** Query job results rendered while the jobs run. */
  bulkSpool: BulkResultSpool;
  cursors: QueryCursorStore;
  urls: EmulatorUrls;
  /** The org's clock, for timestamps the API shows (job createdDate, ...). */
  orgNow: () => number;
}

export interface RequestContext {
  state: EmulatorState;
  host: HostKind;
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** Captures of the matched route pattern. */
  params: Record<string, string>;
  /** `62.0` for `/services/data/v62.0/...`. */
  version?: string | undefined;
  session?: Session;
  fault?: ActiveFault | undefined;
  /** Set by the token endpoint for the journal. */
  grantType?: string;
  /** Runs a data call from inside this one (a composite subrequest). */
  dispatch: DataDispatch;
  /** False for the subrequests of a composite batch counted as one call. */
  countsAsCall?: boolean;
  /** What this request consumed of the org's allocations, for the journal; shared with its subrequests. */
  counted: { apiCalls: number; bulkJobs: number };
  /** Routes of the subrequests a Composite request ran, for the journal. */
  subrequests?: string[];
}

/** One data call made from inside another, with the outer call's session. */
export interface InnerCall {
  method: string;
  path: string;
  query: URLSearchParams;
  body: Buffer;
  /** Not counted against the daily API requests (a Composite request counts once, as a whole). */
  uncounted?: boolean;
}

/**
 * Resolves an inner call to its route, which the caller may refuse by name, and runs it counted
 * against the org's limits (handlers get it on the context, not by importing the router).
 */
export type DataDispatch = (outer: RequestContext, call: InnerCall) => { route: string; run: () => Promise<Reply> };

export type Handler = (ctx: RequestContext) => Reply | Promise<Reply>;

export function header(ctx: RequestContext, name: string): string | undefined {
  const value = ctx.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

/** `Authorization: Bearer <token>` or the older `OAuth <token>`. */
export function bearerToken(ctx: RequestContext): string | undefined {
  const auth = header(ctx, 'authorization');
  const match = auth ? /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(auth) : null;
  return match?.[1];
}
