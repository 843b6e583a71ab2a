/** One request as the emulator saw it, for tests to assert on ("exactly one refresh", "job aborted"). */
export interface JournalEntry {
  seq: number;
  /** Which listener took it. */
  host: HostKind;
  method: string;
  path: string;
  /** Query parameters with secret values replaced by "***". */
  query: Record<string, string>;
  /** Request headers minus Authorization and Cookie. */
  headers: Record<string, string>;
  /** Named route (`oauth.token`, `rest.query`, `bulk.results`, ...) or `unknown`. */
  route: string;
  /** `grant_type` of token requests. */
  grantType?: string | undefined;
  status: number;
  /** Response body bytes written (after compression). */
  bytes: number;
  requestBytes: number;
  startedAt: number;
  durationMs: number;
  /** The configured latency this request waited before it was handled (absent: none). */
  latencyMs?: number | undefined;
  /** Set when an injected fault decided the response. */
  fault?: string | undefined;
  /** Set when a Bulk result page came from the result cache instead of being rendered. */
  cached?: true | undefined;
  /** Set when a Bulk result page's rows, some or all, were rendered while the job ran. */
  spooled?: true | undefined;
  /** Calls this request counted against DailyApiRequests (a composite batch: its subrequests). */
  apiCalls?: number | undefined;
  /** A Composite request's subrequests, by route (`rest.query`, `rest.deleted`, ...), in order. */
  subrequests?: string[] | undefined;
  /** Query jobs this request counted against DailyBulkV2QueryJobs. */
  bulkJobs?: number | undefined;
  /** The Bulk job a reply showed: its id, its state then, and once done its processing time (ms). */
  job?: { id: string; state: string; totalProcessingTime?: number } | undefined;
}

export type HostKind = 'login' | 'sandbox' | 'instance';

const SECRET_QUERY_KEYS = new Set([
  'password',
  'client_secret',
  'refresh_token',
  'assertion',
  'code',
  'code_verifier',
  'access_token',
]);
const SECRET_HEADERS = new Set(['authorization', 'cookie', 'proxy-authorization', 'x-sfdc-session']);

export function redactQuery(query: URLSearchParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of query) out[key] = SECRET_QUERY_KEYS.has(key) ? '***' : value;
  return out;
}

export function redactHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) {
    if (value === undefined || SECRET_HEADERS.has(key)) continue;
    out[key] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

export interface JournalFilter {
  route?: string | RegExp;
  method?: string;
  status?: number;
  host?: HostKind;
  grantType?: string | undefined;
}

/** Every request, in arrival order of completion; bounded so a long CLI run stays small. */
export class Journal {
  readonly #entries: JournalEntry[] = [];
  #seq = 0;

  constructor(private readonly capacity = 100_000) {}

  nextSeq(): number {
    return ++this.#seq;
  }

  record(entry: JournalEntry): void {
    this.#entries.push(entry);
    if (this.#entries.length > this.capacity) this.#entries.splice(0, this.#entries.length - this.capacity);
  }

  entries(filter: JournalFilter = {}): JournalEntry[] {
    return this.#entries.filter((e) => {
      if (filter.route !== undefined && !(typeof filter.route === 'string' ? e.route === filter.route : filter.route.test(e.route))) return false;
      if (filter.method !== undefined && e.method !== filter.method.toUpperCase()) return false;
      if (filter.status !== undefined && e.status !== filter.status) return false;
      if (filter.host !== undefined && e.host !== filter.host) return false;
      if (filter.grantType !== undefined && e.grantType !== filter.grantType) return false;
      return true;
    });
  }

  count(filter: JournalFilter = {}): number {
    return this.entries(filter).length;
  }

  /** Requests to `route`, made directly or as subrequests of Composite requests. */
  countCalls(route: string): number {
    return this.#entries.reduce((n, e) => n + (e.route === route ? 1 : 0) + (e.subrequests?.filter((r) => r === route).length ?? 0), 0);
  }

  /** What the journaled requests counted against the org's allocations: API calls per sync, for a benchmark. */
  usage(filter: JournalFilter = {}): { apiCalls: number; bulkJobs: number } {
    let apiCalls = 0;
    let bulkJobs = 0;
    for (const e of this.entries(filter)) {
      apiCalls += e.apiCalls ?? 0;
      bulkJobs += e.bulkJobs ?? 0;
    }
    return { apiCalls, bulkJobs };
  }

  clear(): void {
    this.#entries.length = 0;
  }
}
