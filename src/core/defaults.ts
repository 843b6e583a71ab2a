/**
 * Every tunable of the tap, with its documented default. Config settings of the same name
 * override them; README's config reference is checked against schemas/config.schema.json.
 */
export const DEFAULTS = {
  /** Winter '26. SOAP login() is capped at 64.0 separately (it is gone from 65.0 on). */
  apiVersion: '65.0',
  soapLoginMaxApiVersion: '64.0',
  /** Bulk API 2.0 results: rows per page (`maxRecords`). */
  maxRecords: 100_000,
  /** REST query page hint (`Sforce-Query-Options: batchSize`), Salesforce clamps to 200..2000. */
  restBatchSize: 2000,
  /** Streams synced at once. */
  streamConcurrency: 4,
  /** Bulk API 1.0 (`api_type: BULK1`): PK chunking on, Salesforce's default chunk of 100,000 Ids (at most 250,000). */
  pkChunking: true,
  pkChunkSize: 100_000,
  /** Bulk jobs running on Salesforce at once across all streams, those started ahead of their window included; downloads do not hold one. */
  bulkJobConcurrency: 4,
  /** `adaptive`: windows from the data (first row, COUNT()), jobs started ahead, small windows through REST; `sequential`: calendar windows one job at a time. */
  planner: 'adaptive',
  /** Adaptive planner: rows per window (one Bulk job, one STATE), at most. */
  windowRows: 500_000,
  /** Adaptive planner: windows of at most this many rows (or not counted: incremental runs) are read through REST, first pages batched in Composite requests. */
  smallReadRows: 5_000,
  /** Result pages downloaded at once per job when `resultPages` is available (API >= 62.0); more while the tap is idle, up to bulkJobConcurrency × this across the run. */
  resultPageConcurrency: 3,
  /** Describe calls in flight during discovery. */
  describeConcurrency: 16,
  /** Re-read this long before the bookmark, to catch rows committed late. */
  lookbackSeconds: 600,
  /** Incremental streams read getDeleted for hard deletes (`capture_hard_deletes`). */
  captureHardDeletes: true,
  /** When the last run is older than getDeleted's window: `warn` or `full_refresh` (`deleted_gap`). */
  deletedGap: 'warn',
  /** How far back getDeleted answers (Salesforce: 30 days); older ranges are a gap. */
  getDeletedMaxDays: 30,
  /** getDeleted ignores seconds and covers whole minutes: its range starts this far inside the window. */
  getDeletedMarginSeconds: 120,
  /** `include`, `exclude` or `refresh` (`formula_fields`). */
  formulaFields: 'include',
  /** `formula_refresh_interval` (P1D): streams with formula fields are re-read in full this often. */
  formulaRefreshSeconds: 86_400,
  /** Initial incremental window; halved when a job times out or fails for size. */
  windowDays: 365,
  minWindowSeconds: 60,
  /**
   * Bulk job polling: first wait, growth factor, cap. A small job is often done within a few
   * hundred ms; starting at 200 ms costs one status call more per long job than 500 ms did. Each
   * wait is about (factor - 1) × the job's age: at 1.25 a job is seen done at most a quarter of
   * its age late (1.5 let a 10 s job wait up to 5 s more), for 3 more calls on a 10 s job.
   */
  pollInitialMs: 200,
  pollFactor: 1.25,
  pollMaxMs: 10_000,
  /** A Bulk job that is not done after this long is aborted and its window shrunk. */
  bulkJobTimeoutSeconds: 3600,
  /** Stop starting work once this share of the daily API quota is used. */
  quotaPercentTotal: 90,
  /** Same, for this run alone. */
  quotaPercentPerRun: 50,
  /** HTTP */
  connectTimeoutMs: 30_000,
  /** No byte for this long on an open response: the connection is dropped and retried. */
  idleTimeoutMs: 300_000,
  maxRetries: 5,
  retryBaseMs: 500,
  retryMaxMs: 60_000,
  /** Re-login before Salesforce's default 2-hour session timeout would bite. */
  sessionMaxAgeMs: 90 * 60_000,
  /**
   * Re-logins one request may ask for when Salesforce refuses its session: two, so a second
   * expiry close behind the first (its new session revoked too) is survived, while a session
   * refused right after a fresh login ends the run as an auth failure.
   */
  reloginsPerRequest: 2,
  /**
   * JSON inputs (src/core/json-input.ts): the most bytes a config, catalog or state may hold (a
   * 10,000-object catalog is about 100 MiB), and the deepest nesting any of them may have (real
   * ones stay under 12 levels; unbounded depth overflows the stack of recursive validators).
   */
  jsonInputMaxBytes: { config: 1024 * 1024, catalog: 256 * 1024 * 1024, state: 64 * 1024 * 1024 },
  jsonInputMaxDepth: 64,
  /** Change Data Capture: the Pub/Sub API endpoint (TLS). */
  pubsubUrl: 'api.pubsub.salesforce.com:7443',
  /** A change event run ends after this long without events (when not caught up sooner). */
  cdcIdleSeconds: 30,
  /** Events asked for per Subscribe request: the Pub/Sub API's maximum. */
  cdcBatchSize: 100,
  /** Ids per re-read query (`Id IN (...)`): 200 ids keep the SOQL well under its limits. */
  cdcRereadBatchSize: 200,
  /**
   * Events gathered from full batches (a backlog) before they are re-read: their queries go out
   * together, 5 to a Composite request (one API call for 1,000 changes instead of 10).
   */
  cdcGatherEvents: 1000,
  /** A snapshot or catch-up reads this far past the moment its position was taken (clock skew). */
  cdcSkewMs: 5_000,
  /** Pub/Sub stream reconnects in a row without a response before the stream fails. */
  cdcMaxReconnects: 8,
} as const;

export type Defaults = typeof DEFAULTS;
