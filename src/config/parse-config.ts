/**
 * Raw config JSON → TapConfig: the raw settings are flattened and coerced (raw-settings.ts), the
 * JSON Schema is checked with ajv, then what a schema cannot say (auth needs, URLs, dates). All
 * problems are reported at once, in one line, naming each field path and what it expects.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import { DEFAULTS } from '../core/defaults.js';
import { AUTH_TYPES } from '../salesforce/auth/registry.js';
import { authSettingWarnings, buildAuth, resolveAuthType } from './auth-settings.js';
import { parseDurationSeconds } from './durations.js';
import { configProblems, describeAjvErrors } from './problems.js';
import { flattenSettings, typeConfusionProblems, withoutUnset } from './raw-settings.js';
import { readConfigFile } from './read-config.js';
import { CONFIG_SCHEMA } from './schema.js';
import type { ApiPreference, CustomQuery, DeletedGapAction, FormulaFieldsMode, TapConfig } from './types.js';
import { unknownSettingWarnings } from './unknown-settings.js';
import { showValue, toIsoTimestamp } from './values.js';

export { inferAuthType, PRODUCTION_LOGIN_URL, SANDBOX_LOGIN_URL } from './auth-settings.js';

type Raw = Record<string, unknown>;

let compiled: ValidateFunction | undefined;
/** Compiled on first use: `spec`, `--about` and `--version` never pay for it. */
function validateSchema(): ValidateFunction {
  // coerceTypes 'array': a single pattern or key given as a string becomes a one-element list.
  compiled ??= new Ajv({ strict: false, allErrors: true, coerceTypes: 'array', validateFormats: false }).compile(CONFIG_SCHEMA);
  return compiled;
}

/** Reads and parses the `--config` file. */
export async function loadConfigFile(path: string): Promise<{ raw: Raw; config: TapConfig }> {
  const raw = await readConfigFile(path);
  return { raw, config: parseConfig(raw) };
}

function parseTimestamp(key: string, value: string, problems: string[]): string | undefined {
  const iso = toIsoTimestamp(value);
  if (iso === undefined) problems.push(`Expected \`${key}\` to be an ISO-8601 timestamp, got ${showValue(value, false)}`);
  return iso;
}

const CRITERIA_GLOBS: Readonly<Record<string, [(v: string) => string, 'include' | 'exclude']>> = {
  'starts with': [(v) => `${v}*`, 'include'],
  'ends with': [(v) => `*${v}`, 'include'],
  contains: [(v) => `*${v}*`, 'include'],
  exacts: [(v) => v, 'include'],
  'starts not with': [(v) => `${v}*`, 'exclude'],
  'ends not with': [(v) => `*${v}`, 'exclude'],
  'not contains': [(v) => `*${v}*`, 'exclude'],
  'not exacts': [(v) => v, 'exclude'],
};

function buildStreamPatterns(flat: Raw): { include: string[]; exclude: string[] } {
  const include = [...((flat.streams_include as string[] | undefined) ?? [])];
  const exclude = [...((flat.streams_exclude as string[] | undefined) ?? [])];
  for (const c of (flat.streams_criteria as { criteria?: string; value: string }[] | undefined) ?? []) {
    const [toGlob, side] = CRITERIA_GLOBS[c.criteria ?? 'contains'] ?? CRITERIA_GLOBS.contains!;
    (side === 'include' ? include : exclude).push(toGlob(c.value));
  }
  return { include, exclude };
}

function buildCustomQueries(flat: Raw, problems: string[]): CustomQuery[] {
  const list = (flat.custom_queries as { name: string; query: string; replication_key?: string; primary_key?: string[] }[] | undefined) ?? [];
  const seen = new Set<string>();
  return list.map((q, i) => {
    if (seen.has(q.name.toLowerCase())) problems.push(`Expected \`custom_queries[${i}].name\` to be unique, got \`${q.name}\` twice`);
    seen.add(q.name.toLowerCase());
    if (!/^\s*select\s[\s\S]+\sfrom\s/i.test(q.query)) {
      problems.push(`Expected \`custom_queries[${i}].query\` to be a SOQL query (SELECT ... FROM ...), got ${showValue(q.query, false)}`);
    }
    const out: CustomQuery = { name: q.name, query: q.query.trim() };
    if (q.replication_key !== undefined && q.replication_key !== '') out.replicationKey = q.replication_key;
    if (q.primary_key !== undefined && q.primary_key.length > 0) out.primaryKey = q.primary_key;
    return out;
  });
}

function toApiPreference(value: unknown): ApiPreference {
  const lower = typeof value === 'string' ? value.toLowerCase() : 'auto';
  if (lower === 'bulk' || lower === 'bulk2') return 'bulk';
  if (lower === 'rest') return 'rest';
  if (lower === 'bulk1') return 'bulk1';
  return 'auto';
}

export interface ParseConfigOptions {
  /** The moment a start date must not be after (tests pin it). */
  now?: () => number;
}

/** Validates and normalizes a raw config object; throws one ConfigError naming every problem. */
export function parseConfig(input: Raw, options: ParseConfigOptions = {}): TapConfig {
  const raw = structuredClone(input);
  const { flat, warnings: credentialWarnings } = flattenSettings(raw);
  const problems: string[] = [];
  if (typeof flat.auth_type === 'string') {
    const resolved = resolveAuthType(flat);
    // The schema knows the flows' own names; an alias is checked as the flow it names.
    if ((AUTH_TYPES as readonly string[]).includes(resolved)) flat.auth_type = resolved;
  }
  problems.push(...typeConfusionProblems(flat));
  const validate = validateSchema();
  if (!validate(flat)) problems.push(...describeAjvErrors(validate.errors ?? [], flat));
  if (problems.length > 0) throw configProblems(problems);

  const auth = buildAuth(flat, problems);
  const startDate = typeof flat.start_date === 'string' ? parseTimestamp('start_date', flat.start_date, problems) : undefined;
  const endDate = typeof flat.end_date === 'string' ? parseTimestamp('end_date', flat.end_date, problems) : undefined;
  const now = new Date((options.now ?? Date.now)()).toISOString();
  if (startDate !== undefined && startDate > now) {
    // Nothing has changed after a moment still to come: the run would read no rows and say nothing.
    problems.push(`Expected \`start_date\` to be in the past, got \`${startDate}\` (now is ${now}): a sync starting in the future reads no rows`);
  }
  if (startDate !== undefined && endDate !== undefined && endDate <= startDate) {
    problems.push(`Expected \`end_date\` to be after \`start_date\`, got \`${endDate}\``);
  }
  const lookbackSeconds = typeof flat.lookback_window === 'string' ? parseDurationSeconds(flat.lookback_window) : DEFAULTS.lookbackSeconds;
  const windowSeconds = typeof flat.stream_slice_step === 'string' ? parseDurationSeconds(flat.stream_slice_step) : DEFAULTS.windowDays * 86_400;
  if (windowSeconds !== undefined && windowSeconds < DEFAULTS.minWindowSeconds) {
    problems.push(`Expected \`stream_slice_step\` to be at least PT${DEFAULTS.minWindowSeconds}S, got \`${String(flat.stream_slice_step)}\``);
  }
  const formulaRefreshSeconds = typeof flat.formula_refresh_interval === 'string' ? parseDurationSeconds(flat.formula_refresh_interval) : DEFAULTS.formulaRefreshSeconds;
  if (formulaRefreshSeconds !== undefined && formulaRefreshSeconds < 60) {
    problems.push(`Expected \`formula_refresh_interval\` to be at least PT1M, got \`${String(flat.formula_refresh_interval)}\``);
  }
  const streamWhere: Record<string, string> = {};
  for (const [stream, where] of Object.entries((flat.stream_where as Raw | undefined) ?? {})) {
    if (typeof where !== 'string' || where.trim() === '') problems.push(`Expected \`stream_where.${stream}\` to be a SOQL condition (text), got ${showValue(where, false)}`);
    else streamWhere[stream] = where.trim();
  }
  const customQueries = buildCustomQueries(flat, problems);
  if (auth === undefined || problems.length > 0) throw configProblems(problems);

  const { include, exclude } = buildStreamPatterns(flat);
  const num = (key: string, fallback: number): number => (typeof flat[key] === 'number' ? (flat[key] as number) : fallback);
  const bool = (key: string, fallback: boolean): boolean => (typeof flat[key] === 'boolean' ? (flat[key] as boolean) : fallback);
  const config: TapConfig = {
    auth,
    apiVersion: typeof flat.api_version === 'string' ? flat.api_version : DEFAULTS.apiVersion,
    lookbackSeconds: lookbackSeconds ?? DEFAULTS.lookbackSeconds,
    windowSeconds: windowSeconds ?? DEFAULTS.windowDays * 86_400,
    minWindowSeconds: DEFAULTS.minWindowSeconds,
    streamsInclude: include,
    streamsExclude: exclude,
    streamWhere,
    customQueries,
    includeDeleted: bool('include_deleted', true),
    captureHardDeletes: bool('capture_hard_deletes', DEFAULTS.captureHardDeletes),
    deletedGap: (flat.deleted_gap as DeletedGapAction | undefined) ?? DEFAULTS.deletedGap,
    formulaFields: (flat.formula_fields as FormulaFieldsMode | undefined) ?? DEFAULTS.formulaFields,
    formulaRefreshSeconds: formulaRefreshSeconds ?? DEFAULTS.formulaRefreshSeconds,
    selectFieldsByDefault: bool('select_fields_by_default', true),
    activateVersion: bool('activate_version', true),
    api: toApiPreference(flat.api_type),
    ...(bool('pk_chunking', DEFAULTS.pkChunking) ? { pkChunkSize: num('pk_chunk_size', DEFAULTS.pkChunkSize) } : {}),
    maxRecords: num('max_records', DEFAULTS.maxRecords),
    restBatchSize: num('rest_batch_size', DEFAULTS.restBatchSize),
    streamConcurrency: num('stream_concurrency', DEFAULTS.streamConcurrency),
    bulkJobConcurrency: num('bulk_job_concurrency', DEFAULTS.bulkJobConcurrency),
    planner: flat.planner === 'sequential' ? 'sequential' : DEFAULTS.planner,
    windowRows: num('window_rows', DEFAULTS.windowRows),
    smallReadRows: num('small_read_rows', DEFAULTS.smallReadRows),
    resultPageConcurrency: num('result_page_concurrency', DEFAULTS.resultPageConcurrency),
    describeConcurrency: num('describe_concurrency', DEFAULTS.describeConcurrency),
    bulkJobTimeoutSeconds: num('bulk_job_timeout_seconds', DEFAULTS.bulkJobTimeoutSeconds),
    pollInitialMs: DEFAULTS.pollInitialMs,
    pollMaxMs: DEFAULTS.pollMaxMs,
    quotaPercentTotal: num('quota_percent_total', DEFAULTS.quotaPercentTotal),
    quotaPercentPerRun: num('quota_percent_per_run', DEFAULTS.quotaPercentPerRun),
    connectTimeoutMs: DEFAULTS.connectTimeoutMs,
    idleTimeoutMs: typeof flat.request_timeout_seconds === 'number' ? flat.request_timeout_seconds * 1000 : DEFAULTS.idleTimeoutMs,
    maxRetries: num('max_retries', DEFAULTS.maxRetries),
    compression: flat.compression === 'gzip' || flat.compression === 'none' ? flat.compression : 'auto',
    persistRotatedRefreshToken: bool('persist_rotated_refresh_token', true),
    changeDataCapture: Array.isArray(flat.change_data_capture) ? (flat.change_data_capture as string[]) : [],
    cdcIdleSeconds: num('cdc_idle_seconds', DEFAULTS.cdcIdleSeconds),
    pubsubUrl: typeof flat.pubsub_url === 'string' && flat.pubsub_url ? flat.pubsub_url.replace(/^https?:\/\//, '') : DEFAULTS.pubsubUrl,
    pubsubTls: flat.pubsub_tls === 'tls' || flat.pubsub_tls === 'plaintext' ? flat.pubsub_tls : 'auto',
    warnings: [...unknownSettingWarnings(withoutUnset(raw)), ...credentialWarnings, ...authSettingWarnings(flat, auth)],
    raw,
  };
  if (startDate !== undefined) config.startDate = startDate;
  if (endDate !== undefined) config.endDate = endDate;
  if (typeof flat.pubsub_ca_file === 'string' && flat.pubsub_ca_file) config.pubsubCaFile = flat.pubsub_ca_file;
  return config;
}
