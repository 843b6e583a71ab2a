/**
 * Raw config JSON → TapConfig. Order matters:
 * 1. `""` and null mean "not set" (Meltano writes unset env vars as empty strings);
 * 2. Airbyte's nested `credentials` is flattened under the top-level keys;
 * 3. every secret is registered before anything can print it;
 * 4. strings from env vars are coerced (booleans, numbers, JSON arrays/objects);
 * 5. the JSON Schema is checked with ajv, then what a schema cannot say (auth needs, URLs, dates).
 * All problems are reported at once, in one line, naming each field path and what it expects.
 */
import { createPrivateKey } from 'node:crypto';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { ConfigError } from '../core/errors.js';
import { DEFAULTS } from '../core/defaults.js';
import { parseJsonInput } from '../core/json-input.js';
import { secrets } from '../core/secrets.js';
import { parseDurationSeconds } from './durations.js';
import { readConfigFile } from './read-config.js';
import { CONFIG_SCHEMA, SECRET_KEYS, type ConfigPropertySchema } from './schema.js';
import { AUTH_TYPES, type ApiPreference, type AuthConfig, type AuthType, type CustomQuery, type TapConfig } from './types.js';

export const PRODUCTION_LOGIN_URL = 'https://login.salesforce.com';
export const SANDBOX_LOGIN_URL = 'https://test.salesforce.com';

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

function isUnset(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

function withoutUnset(object: Raw): Raw {
  const out: Raw = {};
  for (const [key, value] of Object.entries(object)) if (!isUnset(value)) out[key] = value;
  return out;
}

function registerSecrets(flat: Raw): void {
  for (const key of SECRET_KEYS) {
    const value = flat[key];
    if (typeof value === 'string') secrets.register(value);
  }
  if (typeof flat.password === 'string' && typeof flat.security_token === 'string') {
    secrets.register(`${flat.password}${flat.security_token}`);
  }
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', 'off']);

/** Env-var strings to the types the schema wants (ajv handles numbers and plain "true"). */
function coerceStrings(flat: Raw): void {
  for (const [key, value] of Object.entries(flat)) {
    const prop = CONFIG_SCHEMA.properties[key];
    if (prop === undefined || typeof value !== 'string') continue;
    const text = value.trim();
    if (prop.type === 'boolean') {
      const lower = text.toLowerCase();
      if (TRUE_WORDS.has(lower)) flat[key] = true;
      else if (FALSE_WORDS.has(lower)) flat[key] = false;
    } else if ((prop.type === 'array' && text.startsWith('[')) || (prop.type === 'object' && text.startsWith('{'))) {
      try {
        flat[key] = parseJsonInput(text, { kind: 'config', label: `the setting \`${key}\`` });
      } catch (error) {
        // Too deep or too large is refused; bad JSON is left as a string: the schema check
        // reports the field with what it expects.
        if (!(error instanceof ConfigError) || error.code !== 'TAP_CONFIG_INVALID_JSON') throw error;
      }
    } else if (prop.type === 'array' && text.includes(',')) {
      flat[key] = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
    }
  }
}

/** `/custom_queries/0/query` → `custom_queries[0].query` */
function fieldPath(pointer: string, extra?: string): string {
  const parts = pointer.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (extra !== undefined) parts.push(extra);
  return parts.reduce((path, part) => (/^\d+$/.test(part) ? `${path}[${part}]` : path === '' ? part : `${path}.${part}`), '');
}

function propertyAt(pointer: string): ConfigPropertySchema | undefined {
  const parts = pointer.split('/').slice(1);
  let prop: ConfigPropertySchema | undefined = { type: 'object', properties: CONFIG_SCHEMA.properties };
  for (const part of parts) {
    if (prop === undefined) return undefined;
    prop = /^\d+$/.test(part) && prop.items ? prop.items : prop.properties?.[part];
  }
  return prop;
}

function showValue(value: unknown, secret: boolean): string {
  if (secret) return 'a value that is not shown (secret)';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const short = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return `\`${secrets.redact(short)}\``;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'a string',
  boolean: 'true or false',
  integer: 'a whole number',
  number: 'a number',
  array: 'a list',
  object: 'an object',
};

function describeAjvError(error: ErrorObject, root: Raw): string {
  if (error.keyword === 'required') {
    const missing = (error.params as { missingProperty: string }).missingProperty;
    return `Expected \`${fieldPath(error.instancePath, missing)}\` to be set`;
  }
  const path = fieldPath(error.instancePath);
  const prop = propertyAt(error.instancePath);
  const key = error.instancePath.split('/').at(-1) ?? '';
  const value = error.instancePath.split('/').slice(1).reduce<unknown>((v, p) => (v as Raw | undefined)?.[p], root);
  const got = showValue(value, SECRET_KEYS.has(key));
  const params = error.params as Record<string, unknown>;
  let expected: string;
  switch (error.keyword) {
    case 'type':
      expected = TYPE_WORDS[String(params.type)] ?? String(params.type);
      break;
    case 'pattern':
      expected = prop?.pattern_descriptor ?? `text matching ${String(params.pattern)}`;
      break;
    case 'enum':
      expected = `one of ${(params.allowedValues as unknown[]).map((v) => `\`${String(v)}\``).join(', ')}`;
      break;
    case 'minimum':
      expected = `at least ${String(params.limit)}`;
      break;
    case 'maximum':
      expected = `at most ${String(params.limit)}`;
      break;
    case 'exclusiveMinimum':
      expected = `more than ${String(params.limit)}`;
      break;
    default:
      expected = error.message ?? 'valid';
  }
  return `Expected \`${path}\` to be ${expected}, got ${got}`;
}

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A login or instance URL: https, or http on a loopback host (the local emulator). */
function parseHostUrl(key: string, value: string, problems: string[]): string | undefined {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    problems.push(`Expected \`${key}\` to be a URL such as https://acme.my.salesforce.com, got ${showValue(value, false)}`);
    return undefined;
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    problems.push(`Expected \`${key}\` to use https (http is only allowed for localhost), got ${showValue(value, false)}`);
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    problems.push(`Expected \`${key}\` to be an https URL, got ${showValue(value, false)}`);
    return undefined;
  }
  return url.origin;
}

function parseTimestamp(key: string, value: string, problems: string[]): string | undefined {
  let text = value.trim().replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) text += 'T00:00:00Z';
  else if (!/([zZ]|[+-]\d{2}(:?\d{2})?)$/.test(text)) text += 'Z';
  // `+0000` (Salesforce's own form) is not accepted by Date.parse everywhere: add the colon.
  text = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) {
    problems.push(`Expected \`${key}\` to be an ISO-8601 timestamp, got ${showValue(value, false)}`);
    return undefined;
  }
  return new Date(ms).toISOString();
}

const AIRBYTE_OAUTH_TYPES = new Set(['client', 'clientmanual']);
const AUTH_ALIASES: Readonly<Record<string, AuthType>> = {
  oauth: 'oauth_refresh_token',
  refresh_token: 'oauth_refresh_token',
  oauth2: 'oauth_refresh_token',
  username_password: 'password',
  jwt_bearer: 'jwt',
  session: 'access_token',
};

/** The flow the credentials point to when `auth_type` is absent. */
export function inferAuthType(flat: Raw): AuthType {
  const has = (k: string): boolean => typeof flat[k] === 'string';
  if (has('access_token') && !has('refresh_token') && !has('password') && !has('private_key')) return 'access_token';
  if (has('refresh_token')) return 'oauth_refresh_token';
  if (has('private_key')) return 'jwt';
  if (has('username') && has('password')) return has('client_id') ? 'password' : 'soap';
  if (has('client_id') && has('client_secret')) return 'client_credentials';
  return 'oauth_refresh_token';
}

function resolveAuthType(flat: Raw): AuthType {
  const given = flat.auth_type;
  if (typeof given !== 'string') return inferAuthType(flat);
  const lower = given.trim().toLowerCase();
  if (AIRBYTE_OAUTH_TYPES.has(lower)) return 'oauth_refresh_token';
  if ((AUTH_TYPES as readonly string[]).includes(lower)) return lower as AuthType;
  return AUTH_ALIASES[lower] ?? (lower as AuthType);
}

const AUTH_NEEDS: Readonly<Record<AuthType, { keys: string[]; why: string }>> = {
  oauth_refresh_token: { keys: ['client_id', 'refresh_token'], why: 'the OAuth refresh token flow' },
  password: { keys: ['client_id', 'client_secret', 'username', 'password'], why: 'the username-password OAuth flow' },
  client_credentials: { keys: ['client_id', 'client_secret', 'login_url'], why: 'the client credentials flow (it must call the org\'s My Domain host, e.g. https://acme.my.salesforce.com)' },
  jwt: { keys: ['client_id', 'username', 'private_key'], why: 'the JWT bearer flow' },
  soap: { keys: ['username', 'password'], why: 'the SOAP login' },
  access_token: { keys: ['access_token', 'instance_url'], why: 'a plain access token' },
};

function stringOf(flat: Raw, key: string): string | undefined {
  const v = flat[key];
  return typeof v === 'string' ? v : undefined;
}

function buildAuth(flat: Raw, problems: string[]): AuthConfig {
  const type = resolveAuthType(flat);
  const needs = AUTH_NEEDS[type];
  if (needs === undefined) {
    problems.push(`Expected \`auth_type\` to be one of ${AUTH_TYPES.map((t) => `\`${t}\``).join(', ')}, got ${showValue(flat.auth_type, false)}`);
  } else {
    const missing = needs.keys.filter((k) => typeof flat[k] !== 'string');
    if (missing.length > 0) {
      problems.push(`Expected ${missing.map((k) => `\`${k}\``).join(', ')} to be set: ${needs.why} needs ${needs.keys.map((k) => `\`${k}\``).join(', ')}`);
    }
  }
  const isSandbox = flat.is_sandbox === true;
  const loginUrlText = stringOf(flat, 'login_url');
  const loginUrl = loginUrlText === undefined ? undefined : parseHostUrl('login_url', loginUrlText, problems);
  const instanceUrlText = stringOf(flat, 'instance_url');
  const instanceUrl = instanceUrlText === undefined ? undefined : parseHostUrl('instance_url', instanceUrlText, problems);
  const privateKey = stringOf(flat, 'private_key');
  if (type === 'jwt' && privateKey !== undefined) {
    try {
      // Env vars often carry the PEM with literal "\n"; the key itself never contains a backslash.
      const key = createPrivateKey(privateKey.includes('\\n') ? privateKey.replace(/\\n/g, '\n') : privateKey);
      if (key.asymmetricKeyType !== 'rsa') problems.push('Expected `private_key` to be an RSA private key (RS256), got another key type');
    } catch {
      problems.push('Expected `private_key` to be a PEM private key (-----BEGIN PRIVATE KEY-----), got a value that does not parse (not shown: secret)');
    }
  }
  const auth: AuthConfig = {
    type,
    loginUrl: loginUrl ?? (isSandbox ? SANDBOX_LOGIN_URL : PRODUCTION_LOGIN_URL),
    customLoginUrl: loginUrl !== undefined,
    isSandbox,
  };
  const optional: [keyof AuthConfig, string][] = [
    ['clientId', 'client_id'],
    ['clientSecret', 'client_secret'],
    ['refreshToken', 'refresh_token'],
    ['username', 'username'],
    ['password', 'password'],
    ['securityToken', 'security_token'],
    ['accessToken', 'access_token'],
    ['jwtAudience', 'jwt_audience'],
  ];
  for (const [field, key] of optional) {
    const value = stringOf(flat, key);
    if (value !== undefined) (auth as unknown as Raw)[field] = value;
  }
  if (privateKey !== undefined) auth.privateKey = privateKey.includes('\\n') ? privateKey.replace(/\\n/g, '\n') : privateKey;
  if (instanceUrl !== undefined) auth.instanceUrl = instanceUrl;
  return auth;
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
  return 'auto';
}

/** Validates and normalizes a raw config object; throws one ConfigError naming every problem. */
/** Edit distance, for "did you mean" on misspelt settings. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    previous = current;
  }
  return previous[b.length]!;
}

/** Settings the tap does not know are ignored, but said so: a misspelt key must not pass silently. */
function unknownSettingWarnings(flat: Raw): string[] {
  const known = Object.keys(CONFIG_SCHEMA.properties);
  return Object.keys(flat)
    .filter((key) => key !== 'credentials' && !(key in CONFIG_SCHEMA.properties))
    .map((key) => {
      const close = known.map((k) => ({ k, d: Math.min(distance(key, k), k.startsWith(key) || k.includes(key) ? 1 : Infinity) })).sort((x, y) => x.d - y.d)[0];
      const hint = close && close.d <= Math.max(2, Math.floor(key.length / 3)) ? ` (did you mean \`${close.k}\`?)` : '';
      return `The setting \`${key}\` is not one tap-salesforce knows and is ignored${hint}.`;
    });
}

export function parseConfig(input: Raw): TapConfig {
  const raw = structuredClone(input);
  const flat = withoutUnset(raw);
  const nested = flat.credentials;
  if (nested !== null && typeof nested === 'object' && !Array.isArray(nested)) {
    const credentials = withoutUnset(nested as Raw);
    for (const [key, value] of Object.entries(credentials)) if (flat[key] === undefined) flat[key] = value;
    flat.credentials = credentials;
  }
  registerSecrets(flat);
  coerceStrings(flat);

  const problems: string[] = [];
  if (typeof flat.auth_type === 'string') {
    const resolved = resolveAuthType(flat);
    if (AUTH_TYPES.includes(resolved)) flat.auth_type = resolved;
  }
  const validate = validateSchema();
  if (!validate(flat)) {
    // One problem per field: a value of the wrong type also fails its pattern or enum.
    const reported = new Set<string>();
    for (const error of validate.errors ?? []) {
      const key = error.keyword === 'required' ? `${error.instancePath}/${String(error.params.missingProperty)}` : error.instancePath;
      if (reported.has(key)) continue;
      reported.add(key);
      problems.push(describeAjvError(error, flat));
    }
  }
  if (problems.length > 0) throw configProblems(problems);

  const auth = buildAuth(flat, problems);
  const startDate = typeof flat.start_date === 'string' ? parseTimestamp('start_date', flat.start_date, problems) : undefined;
  const endDate = typeof flat.end_date === 'string' ? parseTimestamp('end_date', flat.end_date, problems) : undefined;
  if (startDate !== undefined && endDate !== undefined && endDate <= startDate) {
    problems.push(`Expected \`end_date\` to be after \`start_date\`, got \`${endDate}\``);
  }
  const lookbackSeconds = typeof flat.lookback_window === 'string' ? parseDurationSeconds(flat.lookback_window) : DEFAULTS.lookbackSeconds;
  const windowSeconds = typeof flat.stream_slice_step === 'string' ? parseDurationSeconds(flat.stream_slice_step) : DEFAULTS.windowDays * 86_400;
  if (windowSeconds !== undefined && windowSeconds < DEFAULTS.minWindowSeconds) {
    problems.push(`Expected \`stream_slice_step\` to be at least PT${DEFAULTS.minWindowSeconds}S, got \`${String(flat.stream_slice_step)}\``);
  }
  const streamWhere: Record<string, string> = {};
  for (const [stream, where] of Object.entries((flat.stream_where as Raw | undefined) ?? {})) {
    if (typeof where !== 'string' || where.trim() === '') problems.push(`Expected \`stream_where.${stream}\` to be a SOQL condition (text), got ${showValue(where, false)}`);
    else streamWhere[stream] = where.trim();
  }
  const customQueries = buildCustomQueries(flat, problems);
  if (problems.length > 0) throw configProblems(problems);

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
    selectFieldsByDefault: bool('select_fields_by_default', true),
    api: toApiPreference(flat.api_type),
    maxRecords: num('max_records', DEFAULTS.maxRecords),
    restBatchSize: num('rest_batch_size', DEFAULTS.restBatchSize),
    streamConcurrency: num('stream_concurrency', DEFAULTS.streamConcurrency),
    bulkJobConcurrency: num('bulk_job_concurrency', DEFAULTS.bulkJobConcurrency),
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
    warnings: unknownSettingWarnings(withoutUnset(raw)),
    raw,
  };
  if (startDate !== undefined) config.startDate = startDate;
  if (endDate !== undefined) config.endDate = endDate;
  return config;
}

function configProblems(problems: string[]): ConfigError {
  const message = secrets.redact(problems.join('; '));
  return new ConfigError('TAP_CONFIG_INVALID', `Invalid config: ${message}.`);
}
