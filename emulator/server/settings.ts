/**
 * Runtime-changeable knobs of the emulator. Every behaviour the wire reference marks as
 * [unverified], and every org or connected-app state a connector must explain to its user, is a
 * switch here so tests can pin both sides. Tests change them on `emulator.settings` at any time.
 */

export type ConnectedAppState =
  /** Normal. */
  | 'active'
  /** A freshly created app that has not propagated yet: its consumer key is unknown for minutes. */
  | 'not-yet-active'
  /** "Admin approved users are pre-authorized" and the user is not assigned to the app. */
  | 'not-approved';

export type BulkNullRendering = 'empty' | 'quoted';

export interface EmulatorSettings {
  /** Delay added before every request is handled. */
  latencyMs: number;
  /** Per-connection response bandwidth cap in bytes/s; 0 = unlimited. */
  bandwidthBytesPerSec: number;
  /** Sessions expire after this much inactivity (Salesforce extends a session while it is used). */
  sessionTtlSeconds: number;
  /** `DailyApiRequests` Max; once used up, data calls get 403 REQUEST_LIMIT_EXCEEDED. */
  dailyApiLimit: number;
  /** `DailyBulkV2QueryJobs` Max. */
  dailyBulkQueryJobLimit: number;
  /** "Allow OAuth Username-Password Flows"; when off the password grant fails like bad credentials. */
  passwordFlowEnabled: boolean;
  /** Whether the password must be followed by the security token (off = trusted IP range). */
  securityTokenRequired: boolean;
  /** "Enable SOAP API login()". */
  soapLoginEnabled: boolean;
  /** JWT bearer: whether the user is pre-authorized for the app. */
  jwtPreAuthorized: boolean;
  /** Client credentials flow enabled with a run-as user. */
  clientCredentialsEnabled: boolean;
  connectedAppState: ConnectedAppState;
  /** Refresh token rotation: a new refresh_token with each refresh, the old one revoked. */
  rotateRefreshTokens: boolean;
  /** Web server flow: whether the token request must carry the client secret. */
  requireSecretForWebServerFlow: boolean;
  /** `scope` returned by grants that return one. */
  scope: string;
  /** "API Enabled" for the org and user; off = data calls get 403 API_DISABLED_FOR_ORG. */
  apiEnabled: boolean;
  /** "View Setup and Configuration"; off = /limits gets 403 INSUFFICIENT_ACCESS. */
  limitsAccess: boolean;
  /** Lowest supported API version; lower ones are retired (REST 410, SOAP UNSUPPORTED_API_VERSION). */
  minApiVersion: number;
  /** Newest API version the org serves. */
  maxApiVersion: number;
  /** SOAP login() is gone from this version on. */
  soapLoginMaxApiVersion: number;
  /** Bulk 2.0 `resultPages` exists from this version on. */
  resultPagesMinVersion: number;
  /**
   * A Bulk query job's fixed start latency once the org processes it (UploadComplete for the
   * first half, then InProgress); with no scan rate, its whole processing time.
   */
  bulkJobDelayMs: number;
  /** Rows a Bulk query job scans per second, added to its processing time; 0 = no scan time. */
  bulkScanRowsPerSec: number;
  /** Bulk query jobs the org processes at once; later ones wait in UploadComplete. 0 = no limit. */
  bulkConcurrentJobs: number;
  /** Latency of every REST data call (query pages, describes, records, limits, composite), on top of `latencyMs`. */
  restCallLatencyMs: number;
  /**
   * Count a `/composite/batch` request as one call against DailyApiRequests instead of one per
   * subrequest (Salesforce documents "each subrequest counts against rate limits").
   */
  compositeBatchCountsAsOneCall: boolean;
  /**
   * Rows per Bulk results page when the client sends no `maxRecords`. Salesforce picks large,
   * size-based pages; jsforce's bulk2 reader even breaks on a second page (it parses that page's
   * header row as a record), so the default keeps ordinary result sets on one page.
   */
  bulkDefaultPageRows: number;
  /** Rows covered by each `resultUrl` of `resultPages`. */
  bulkResultPageRows: number;
  /** How Bulk CSV writes null: `,,` (empty) or `,"",` (quoted). */
  bulkNullRendering: BulkNullRendering;
  /**
   * Keep rendered Bulk result pages (CSV, and gzip once sent) up to this many MB and serve the
   * same page of the same query again, at the same org revision, without rendering: byte for
   * byte the same. For benchmarks of a client; 0 (default) = off.
   */
  bulkResultCacheMb: number;
  /**
   * Render a query job's results while it runs, as Salesforce writes result files before
   * JobComplete, holding up to this many MB; results requests are then served without rendering.
   * 0 (default) = render each results page when it is requested.
   */
  bulkResultSpoolMb: number;
  /** Rows per Bulk API 1.0 query result file (Salesforce cuts result files at 1 GB). */
  bulk1ResultFileRows: number;
  /**
   * Chunks of one PK-chunked Bulk API 1.0 job processed at once, each taking `bulkJobDelayMs`;
   * the others wait `Queued` (an assumption: Salesforce documents no number).
   */
  bulk1ParallelChunks: number;
  /** Honour `Accept-Encoding: gzip`. */
  gzip: boolean;
  /** Composite batch subrequest limit. */
  compositeBatchMaxRequests: number;
  /** URLs and header blocks longer than this get 414 / 431. */
  maxUrlBytes: number;
  maxHeaderBytes: number;
  /** REST query cursors live this long (2 days since v56.0). */
  queryCursorTtlMs: number;
  /** When the schema last changed, for describe `If-Modified-Since`. */
  schemaLastModified: Date;
}

export function buildDefaultSettings(now: number): EmulatorSettings {
  return {
    latencyMs: 0,
    bandwidthBytesPerSec: 0,
    sessionTtlSeconds: 7200,
    dailyApiLimit: 15_000,
    dailyBulkQueryJobLimit: 10_000,
    passwordFlowEnabled: true,
    securityTokenRequired: true,
    soapLoginEnabled: true,
    jwtPreAuthorized: true,
    clientCredentialsEnabled: true,
    connectedAppState: 'active',
    rotateRefreshTokens: false,
    requireSecretForWebServerFlow: true,
    scope: 'api id refresh_token',
    apiEnabled: true,
    limitsAccess: true,
    minApiVersion: 31,
    maxApiVersion: 66,
    soapLoginMaxApiVersion: 64,
    resultPagesMinVersion: 62,
    bulkJobDelayMs: 200,
    bulkScanRowsPerSec: 0,
    bulkConcurrentJobs: 0,
    restCallLatencyMs: 0,
    compositeBatchCountsAsOneCall: false,
    bulkDefaultPageRows: 1_000_000,
    bulkResultPageRows: 50_000,
    bulkNullRendering: 'empty',
    bulkResultCacheMb: 0,
    bulkResultSpoolMb: 0,
    bulk1ResultFileRows: 1_000_000,
    bulk1ParallelChunks: 10,
    gzip: true,
    compositeBatchMaxRequests: 25,
    maxUrlBytes: 16_384,
    maxHeaderBytes: 16_384,
    queryCursorTtlMs: 2 * 24 * 3600 * 1000,
    // Whole seconds: HTTP dates carry no milliseconds.
    schemaLastModified: new Date(Math.floor(now / 1000) * 1000),
  };
}
