/**
 * The validated, normalized config every command receives. Built by `parseConfig` from the raw
 * JSON (flat Singer keys, Airbyte's nested `credentials`, strings from Meltano env vars) after
 * validation against schemas/config.schema.json; defaults from src/core/defaults.ts are applied,
 * so readers never look at DEFAULTS for a setting the user can override.
 */

import type { AuthConfig } from '../salesforce/auth/registry.js';

/** One type per auth flow, from the flows' registry (src/salesforce/auth/registry.ts). */
export type { AuthConfig, AuthType } from '../salesforce/auth/registry.js';

export interface CustomQuery {
  name: string;
  query: string;
  replicationKey?: string;
  primaryKey?: string[];
}

export type ApiPreference = 'auto' | 'bulk' | 'rest' | 'bulk1';

export type DeletedGapAction = 'warn' | 'full_refresh';

export type FormulaFieldsMode = 'include' | 'exclude' | 'refresh';

export interface TapConfig {
  auth: AuthConfig;
  /** Things to tell the user about the config that do not stop the run (unknown settings). */
  warnings: string[];
  /** "65.0" */
  apiVersion: string;
  /** ISO-8601 UTC; undefined = all history. */
  startDate?: string;
  /** ISO-8601 UTC; undefined = now. */
  endDate?: string;
  lookbackSeconds: number;
  /** Incremental window size. */
  windowSeconds: number;
  minWindowSeconds: number;
  streamsInclude: string[];
  streamsExclude: string[];
  /** Extra SOQL conditions per stream name, ANDed with the sync's own. */
  streamWhere: Record<string, string>;
  customQueries: CustomQuery[];
  includeDeleted: boolean;
  /** Read getDeleted for incremental streams and emit tombstones. */
  captureHardDeletes: boolean;
  /** What a range older than getDeleted's window leads to. */
  deletedGap: DeletedGapAction;
  formulaFields: FormulaFieldsMode;
  /** With `formulaFields: 'refresh'`: a stream with formula fields is re-read in full this often. */
  formulaRefreshSeconds: number;
  selectFieldsByDefault: boolean;
  /** Singer: full-table streams send ACTIVATE_VERSION and a `version` on their records. */
  activateVersion: boolean;
  /** Which API reads rows: Bulk 2.0 when it can (auto), always Bulk, Bulk API 1.0 (bulk1), or always REST. */
  api: ApiPreference;
  /** Bulk API 1.0: PK chunking with this many Ids per chunk; undefined = off. */
  pkChunkSize?: number;
  /** Bulk API 2.0 `maxRecords` per results page. */
  maxRecords: number;
  restBatchSize: number;
  streamConcurrency: number;
  bulkJobConcurrency: number;
  planner: 'adaptive' | 'sequential';
  windowRows: number;
  smallReadRows: number;
  resultPageConcurrency: number;
  describeConcurrency: number;
  bulkJobTimeoutSeconds: number;
  pollInitialMs: number;
  pollMaxMs: number;
  quotaPercentTotal: number;
  quotaPercentPerRun: number;
  connectTimeoutMs: number;
  idleTimeoutMs: number;
  maxRetries: number;
  /** Ask for gzipped responses: always, never, or (auto) except from a loopback host. */
  compression: 'auto' | 'gzip' | 'none';
  persistRotatedRefreshToken: boolean;
  /** Stream names read through change events (LOG_BASED), or ['*']. */
  changeDataCapture: string[];
  cdcIdleSeconds: number;
  /** host:port of the Pub/Sub API. */
  pubsubUrl: string;
  /** TLS to the Pub/Sub API: `auto` (TLS unless loopback without a CA file), always, or never. */
  pubsubTls: 'auto' | 'tls' | 'plaintext';
  /** A PEM file of certificates trusted for the Pub/Sub API beside Node's root certificates. */
  pubsubCaFile?: string;
  /** The config as the user wrote it (after `""` → unset), kept to merge a rotated token into. */
  raw: Record<string, unknown>;
}
