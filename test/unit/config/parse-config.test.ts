import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TapError } from '../../../src/core/errors.js';
import { DEFAULTS } from '../../../src/core/defaults.js';
import { secrets } from '../../../src/core/secrets.js';
import { inferAuthType, loadConfigFile, parseConfig } from '../../../src/config/parse-config.js';
import { CONFIG_SCHEMA } from '../../../src/config/schema.js';
import { parseDurationSeconds } from '../../../src/config/durations.js';
import { buildStreamFilter } from '../../../src/config/stream-filter.js';
import { mergeConfigChanges, writeConfigFileAtomic } from '../../../src/config/persist-config.js';

const oauth = { client_id: 'cid', client_secret: 'csecret-123', refresh_token: 'rtoken-456' };

function configError(raw: Record<string, unknown>): TapError {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(TapError);
    return error as TapError;
  }
  throw new Error('expected a config error');
}

describe('parseConfig', () => {
  it('applies defaults from DEFAULTS', () => {
    const c = parseConfig(oauth);
    expect(c.auth.type).toBe('oauth_refresh_token');
    expect(c.auth.loginUrl).toBe('https://login.salesforce.com');
    expect(c.apiVersion).toBe(DEFAULTS.apiVersion);
    expect(c.lookbackSeconds).toBe(DEFAULTS.lookbackSeconds);
    expect(c.windowSeconds).toBe(DEFAULTS.windowDays * 86400);
    expect(c.includeDeleted).toBe(true);
    expect(c.startDate).toBeUndefined();
  });

  it('keeps the schema defaults equal to DEFAULTS', () => {
    const p = CONFIG_SCHEMA.properties;
    expect(p.api_version!.default).toBe(DEFAULTS.apiVersion);
    expect(p.max_records!.default).toBe(DEFAULTS.maxRecords);
    expect(p.stream_concurrency!.default).toBe(DEFAULTS.streamConcurrency);
    expect(p.bulk_job_concurrency!.default).toBe(DEFAULTS.bulkJobConcurrency);
    expect(p.quota_percent_total!.default).toBe(DEFAULTS.quotaPercentTotal);
    expect(p.quota_percent_per_run!.default).toBe(DEFAULTS.quotaPercentPerRun);
    expect(parseDurationSeconds(String(p.lookback_window!.default))).toBe(DEFAULTS.lookbackSeconds);
    expect(parseDurationSeconds(String(p.stream_slice_step!.default))).toBe(DEFAULTS.windowDays * 86400);
    expect(p.max_retries!.default).toBe(DEFAULTS.maxRetries);
    expect(p.request_timeout_seconds!.default).toBe(DEFAULTS.idleTimeoutMs / 1000);
  });

  it('coerces Meltano env-var strings and treats "" as unset', () => {
    const c = parseConfig({ ...oauth, is_sandbox: 'True', max_records: '50000', include_deleted: 'false', start_date: '', quota_percent_total: '', streams_include: '["Account","*__c"]' });
    expect(c.auth.isSandbox).toBe(true);
    expect(c.auth.loginUrl).toBe('https://test.salesforce.com');
    expect(c.maxRecords).toBe(50000);
    expect(c.includeDeleted).toBe(false);
    expect(c.startDate).toBeUndefined();
    expect(c.quotaPercentTotal).toBe(DEFAULTS.quotaPercentTotal);
    expect(c.streamsInclude).toEqual(['Account', '*__c']);
  });

  it('accepts Airbyte 2.8 nested credentials unchanged', () => {
    const c = parseConfig({ credentials: { auth_type: 'ClientManual', ...oauth }, start_date: '2024-01-01', is_sandbox: false });
    expect(c.auth).toMatchObject({ type: 'oauth_refresh_token', clientId: 'cid', refreshToken: 'rtoken-456' });
    expect(c.startDate).toBe('2024-01-01T00:00:00.000Z');
  });

  it('accepts Airbyte Client auth_type at the top level and streams_criteria', () => {
    const c = parseConfig({ auth_type: 'Client', ...oauth, streams_criteria: [{ criteria: 'starts with', value: 'Acc' }, { criteria: 'not contains', value: 'Share' }] });
    expect(c.auth.type).toBe('oauth_refresh_token');
    const keep = buildStreamFilter(c.streamsInclude, c.streamsExclude);
    expect(['Account', 'AccountShare', 'Contact'].filter(keep)).toEqual(['Account']);
  });

  it.each([
    [{ access_token: 'tok-abc', instance_url: 'https://x.my.salesforce.com' }, 'access_token'],
    [oauth, 'oauth_refresh_token'],
    [{ client_id: 'c', username: 'u', private_key: 'k' }, 'jwt'],
    [{ client_id: 'c', client_secret: 's', username: 'u', password: 'p' }, 'password'],
    [{ username: 'u', password: 'p' }, 'soap'],
    [{ client_id: 'c', client_secret: 's' }, 'client_credentials'],
  ])('infers the auth type from the credentials present (%#)', (raw, type) => {
    expect(inferAuthType(raw)).toBe(type);
  });

  it('names the field and expectation for a bad start_date, in one line', () => {
    const e = configError({ ...oauth, start_date: 'yesterday' });
    expect(e.code).toBe('TAP_CONFIG_INVALID');
    expect(e.kind).toBe('config');
    expect(e.message).toContain('`start_date`');
    expect(e.message).toContain('ISO-8601');
    expect(e.message).toContain('`yesterday`');
    expect(e.message).not.toContain('\n');
  });

  it('reports every problem with its path', () => {
    const e = configError({ ...oauth, max_records: 'many', custom_queries: [{ name: 'q' }], api_type: 'SOAP' });
    expect(e.message).toContain('`max_records`');
    expect(e.message).toContain('`custom_queries[0].query`');
    expect(e.message).toContain('`api_type`');
  });

  it('never echoes a secret in a validation error', () => {
    const e = configError({ client_id: 'cid', refresh_token: 'rotating-secret-token', client_secret: { value: 'nested-secret-value' }, start_date: 'bad' });
    expect(e.message).toContain('`client_secret`');
    expect(e.message).not.toContain('nested-secret-value');
    expect(secrets.redact('rotating-secret-token')).toBe('***');
  });

  it('names the credentials an auth flow is missing', () => {
    const e = configError({ auth_type: 'client_credentials', client_id: 'c', client_secret: 'secret-xyz' });
    expect(e.message).toContain('`login_url`');
  });

  it('refuses http URLs except on loopback', () => {
    expect(configError({ ...oauth, login_url: 'http://acme.my.salesforce.com' }).message).toContain('`login_url`');
    expect(parseConfig({ ...oauth, login_url: 'http://127.0.0.1:8080' }).auth.loginUrl).toBe('http://127.0.0.1:8080');
    expect(parseConfig({ ...oauth, login_url: 'https://acme.my.salesforce.com/' }).auth).toMatchObject({ loginUrl: 'https://acme.my.salesforce.com', customLoginUrl: true });
  });

  it('rejects a private key that is not PEM, without echoing it', () => {
    const e = configError({ client_id: 'c', username: 'u', private_key: 'not-a-key-value' });
    expect(e.message).toContain('`private_key`');
    expect(e.message).not.toContain('not-a-key-value');
  });

  it('accepts an RSA PEM key with escaped newlines', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const c = parseConfig({ client_id: 'c', username: 'u', private_key: pem.replace(/\n/g, '\\n') });
    expect(c.auth).toMatchObject({ type: 'jwt', privateKey: pem });
  });

  it('parses lookback and window durations in seconds or ISO-8601', () => {
    const c = parseConfig({ ...oauth, lookback_window: 'PT10M', stream_slice_step: 'P30D' });
    expect(c.lookbackSeconds).toBe(600);
    expect(c.windowSeconds).toBe(30 * 86400);
    expect(parseConfig({ ...oauth, lookback_window: 30 }).lookbackSeconds).toBe(30);
    expect(configError({ ...oauth, stream_slice_step: 'PT1S' }).message).toContain('`stream_slice_step`');
  });
});

describe('persisting a rotated refresh token', () => {
  it('updates the nested Airbyte credentials where the user keeps the token', () => {
    const merged = mergeConfigChanges({ credentials: { refresh_token: 'old' }, x: 1 }, { refresh_token: 'new' });
    expect(merged).toEqual({ credentials: { refresh_token: 'new' }, x: 1 });
    expect(mergeConfigChanges({ refresh_token: 'old' }, { refresh_token: 'new' })).toEqual({ refresh_token: 'new' });
  });

  it('rewrites the config file atomically with mode 0600', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tap-cfg-'));
    const path = join(dir, 'config.json');
    writeFileSync(path, '{"refresh_token":"old"}', { mode: 0o644 });
    await writeConfigFileAtomic(path, { refresh_token: 'new' });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ refresh_token: 'new' });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('loads a config file and reports invalid JSON without quoting it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tap-cfg-'));
    const path = join(dir, 'config.json');
    writeFileSync(path, '{"client_secret": "leaky-secret-value",');
    await expect(loadConfigFile(path)).rejects.toMatchObject({ code: 'TAP_CONFIG_INVALID_JSON' });
    await expect(loadConfigFile(join(dir, 'missing.json'))).rejects.toMatchObject({ code: 'TAP_CONFIG_UNREADABLE' });
  });
});

describe('unknown settings', () => {
  it('warns about each one, suggesting the setting that was probably meant', () => {
    const config = parseConfig({ client_id: 'c', refresh_token: 'r', api: 'rest', strat_date: '2024-01-01', something_else: 1 });
    expect(config.warnings).toEqual([
      'The setting `api` is not one tap-salesforce knows and is ignored (did you mean `api_type`?).',
      'The setting `strat_date` is not one tap-salesforce knows and is ignored (did you mean `start_date`?).',
      'The setting `something_else` is not one tap-salesforce knows and is ignored.',
    ]);
    expect(parseConfig({ client_id: 'c', refresh_token: 'r', credentials: { auth_type: 'Client' } }).warnings).toEqual([]);
  });
});
