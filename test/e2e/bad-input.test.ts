/**
 * Bad input of every kind — configs, catalogs, states, arguments and server replies — ends the
 * run with one error line naming the problem, a non-zero exit, no stack trace, an Airbyte TRACE
 * ERROR with the right failure_type, and no hang.
 */
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import type { FaultRule } from '../../emulator/server/faults.js';
import { assertValidAirbyteLines } from '../helpers/airbyte-validator.js';
import { runTap } from '../helpers/run-tap.js';

// Started at load time: the cases below are built from its config when the file is collected.
const emulator: Emulator = await startEmulator({ records: 40, seed: 21 });
// One retry keeps the server-reply cases quick; the retry path itself is tested elsewhere.
const config: Record<string, unknown> = { ...emulator.tapConfig('password'), max_retries: 1 };

afterAll(async () => {
  await emulator.close();
});

const airbyteCatalog = (streams: unknown[]) => ({ streams });
const configured = (name: string, extra: Record<string, unknown> = {}, properties: Record<string, unknown> = {}) => ({
  stream: { name, json_schema: { type: 'object', properties }, supported_sync_modes: ['full_refresh', 'incremental'] },
  sync_mode: 'full_refresh',
  destination_sync_mode: 'overwrite',
  ...extra,
});
const ACCOUNT = airbyteCatalog([configured('Account')]);
const singerCatalog = (metadata: unknown, extra: Record<string, unknown> = {}) => ({
  streams: [{ tap_stream_id: 'Account', stream: 'Account', schema: { type: 'object', properties: { Id: { type: 'string' }, Name: { type: ['null', 'string'] } } }, metadata, ...extra }],
});
const SELECTED = [{ breadcrumb: [], metadata: { selected: true, 'replication-method': 'FULL_TABLE' } }];

type FailureType = 'config_error' | 'system_error' | 'transient_error';

interface Case {
  name: string;
  /** `airbyte:` cases run `<command> --config ...`; `singer:` cases run the flags. */
  args: string[];
  files?: Record<string, unknown>;
  /** Airbyte cases: the TRACE ERROR failure_type (Singer cases have no trace). */
  failureType?: FailureType;
  /** The error line must say this. */
  says: RegExp;
  faults?: FaultRule[];
}

const c = (override: Record<string, unknown>) => ({ ...config, ...override });
const discover = (cfg: unknown, says: RegExp, name: string): Case => ({ name, args: ['discover', '--config', '{file:config.json}'], files: { 'config.json': cfg }, failureType: 'config_error', says });
const read = (catalog: unknown, says: RegExp, name: string, state?: unknown): Case => ({
  name,
  args: ['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}', ...(state === undefined ? [] : ['--state', '{file:state.json}'])],
  files: { 'config.json': config, 'catalog.json': catalog, ...(state === undefined ? {} : { 'state.json': state }) },
  failureType: 'config_error',
  says,
});
const singerRead = (catalog: unknown, says: RegExp, name: string, state?: unknown): Case => ({
  name,
  args: ['--config', '{file:config.json}', '--catalog', '{file:catalog.json}', ...(state === undefined ? [] : ['--state', '{file:state.json}'])],
  files: { 'config.json': config, 'catalog.json': catalog, ...(state === undefined ? {} : { 'state.json': state }) },
  says,
});

const INPUT_CASES = (): Case[] => [
  // Configs
  discover('{"client_id": ', /not valid JSON/, 'config: truncated JSON'),
  discover('[]', /object/i, 'config: an array'),
  discover('"hello"', /object/i, 'config: a JSON string'),
  discover('', /is empty/, 'config: an empty file'),
  discover(c({ auth_type: 'magic' }), /auth_type/, 'config: unknown auth_type'),
  discover(c({ password: undefined }), /`password`/, 'config: password flow without password'),
  discover(c({ start_date: 'yesterday' }), /start_date.*ISO-8601/, 'config: start_date not a timestamp'),
  discover(c({ start_date: 12345 }), /start_date/, 'config: start_date a number'),
  discover(c({ end_date: '2020-01-01T00:00:00Z', start_date: '2021-01-01T00:00:00Z' }), /end_date/, 'config: end_date before start_date'),
  discover(c({ login_url: 'http://acme.my.salesforce.com' }), /login_url/, 'config: plain http to a remote host'),
  discover(c({ login_url: 'not a url' }), /login_url/, 'config: login_url not a URL'),
  discover(c({ instance_url: 'ftp://acme.my.salesforce.com', auth_type: 'access_token', access_token: 'token-value-123' }), /instance_url/, 'config: instance_url with another scheme'),
  discover(c({ api_version: 'latest' }), /api_version/, 'config: api_version not a number'),
  discover(c({ max_records: 10 }), /max_records/, 'config: max_records below the minimum'),
  discover(c({ stream_concurrency: 0 }), /stream_concurrency/, 'config: zero concurrency'),
  discover(c({ stream_concurrency: 'many' }), /stream_concurrency/, 'config: concurrency not a number'),
  discover(c({ lookback_window: 'forever' }), /lookback_window/, 'config: lookback not a duration'),
  discover(c({ stream_where: { Account: 5 } }), /stream_where\.Account/, 'config: stream_where not text'),
  discover(c({ stream_where: 'Type = 1' }), /stream_where/, 'config: stream_where not an object'),
  discover(c({ custom_queries: 'SELECT Id FROM Account' }), /custom_queries/, 'config: custom_queries not a list'),
  discover(c({ custom_queries: [{ name: 'q' }] }), /custom_queries\[0\]/, 'config: custom query without query'),
  discover(c({ custom_queries: [{ name: 'q', query: 'SELECT Id FROM Account' }, { name: 'Q', query: 'SELECT Id FROM Contact' }] }), /unique/, 'config: duplicate custom query names'),
  discover(c({ custom_queries: [{ name: 'q', query: 'SELECT COUNT() FROM Account' }] }), /custom_queries\[0\] \(q\).*aggregates/, 'config: aggregate custom query'),
  discover(c({ custom_queries: [{ name: 'q', query: 'SELECT Id, Nope__c FROM Account' }] }), /Account has no field `Nope__c`/, 'config: custom query with an unknown field'),
  discover(c({ auth_type: 'jwt', private_key: 'not a key at all' }), /private_key/, 'config: private_key not PEM'),
  discover(c({ is_sandbox: 'maybe' }), /is_sandbox/, 'config: is_sandbox not a boolean'),
  discover(c({ api_type: 'soap' }), /api_type/, 'config: unknown api_type'),
  discover(c({ start_date: `2024-01-01${'9'.repeat(200_000)}` }), /start_date/, 'config: an enormous value'),
  discover(c({ quota_percent_total: 150 }), /quota_percent_total/, 'config: quota share over 100%'),
  { name: 'config: a directory', args: ['discover', '--config', '.'], failureType: 'config_error', says: /Cannot read the config/ },
  { name: 'config: a missing file', args: ['discover', '--config', 'nope.json'], failureType: 'config_error', says: /Cannot read the config/ },
  // Catalogs
  read('{"streams": [', /not valid JSON/, 'catalog: truncated JSON'),
  read({}, /streams/, 'catalog: no streams'),
  read({ streams: 'Account' }, /streams/, 'catalog: streams not a list'),
  read(null, /catalog/i, 'catalog: null'),
  read(airbyteCatalog([configured('Acount')]), /Acount/, 'catalog: unknown stream'),
  read(airbyteCatalog([configured('Account', {}, { Id: { type: 'string' }, Nmae: { type: 'string' } })]), /Nmae/, 'catalog: unknown field'),
  read(airbyteCatalog([configured('Account', { sync_mode: 'sometimes' })]), /sync_mode/, 'catalog: unknown sync_mode'),
  read(airbyteCatalog([42]), /streams\[0\]/, 'catalog: a stream that is a number'),
  read(airbyteCatalog([{ sync_mode: 'full_refresh', destination_sync_mode: 'overwrite', stream: { json_schema: {} } }]), /name/, 'catalog: stream without a name'),
  singerRead('{"streams"', /not valid JSON/, 'Singer catalog: truncated JSON'),
  singerRead({ streams: [{ schema: {}, metadata: SELECTED }] }, /tap_stream_id/, 'Singer catalog: no tap_stream_id'),
  singerRead(singerCatalog('selected'), /metadata/, 'Singer catalog: metadata not a list'),
  singerRead(singerCatalog([{ breadcrumb: [], metadata: { selected: true, 'replication-method': 'INCREMENTAL', 'replication-key': 'Nope' } }]), /Nope/, 'Singer catalog: unknown replication key'),
  singerRead(singerCatalog([{ breadcrumb: [], metadata: { selected: true, 'replication-method': 'SOMETIMES' } }]), /replication-method/, 'Singer catalog: unknown replication method'),
  // States
  read(ACCOUNT, /not valid JSON/, 'state: truncated JSON', '[{"type": "STREAM"'),
  read(ACCOUNT, /state/i, 'state: a list of numbers', [1, 2]),
  read(airbyteCatalog([configured('Account', { sync_mode: 'incremental', cursor_field: ['SystemModstamp'] })]), /SystemModstamp|not a date|timestamp/i, 'state: bookmark not a date', [
    { type: 'STREAM', stream: { stream_descriptor: { name: 'Account' }, stream_state: { SystemModstamp: 'last tuesday' } } },
  ]),
  read(ACCOUNT, /state/i, 'state: a STREAM state without a descriptor', [{ type: 'STREAM', stream: { stream_state: {} } }]),
  singerRead(singerCatalog(SELECTED), /not valid JSON/, 'Singer state: truncated JSON', '{"bookmarks": {'),
  singerRead(singerCatalog(SELECTED), /bookmarks/, 'Singer state: bookmarks not an object', { bookmarks: [] }),
  singerRead(singerCatalog([{ breadcrumb: [], metadata: { selected: true, 'replication-method': 'INCREMENTAL', 'replication-key': 'SystemModstamp' } }]), /SystemModstamp|not a date|timestamp/i, 'Singer state: bookmark not a date', { bookmarks: { Account: { SystemModstamp: 42 } } }),
  // Arguments
  { name: 'args: read without --catalog', args: ['read', '--config', '{file:config.json}'], files: { 'config.json': config }, failureType: 'config_error', says: /catalog/ },
  { name: 'args: unknown command', args: ['reed', '--config', '{file:config.json}'], files: { 'config.json': config }, failureType: 'config_error', says: /reed/ },
  { name: 'args: discover without --config', args: ['discover'], failureType: 'config_error', says: /--config/ },
  { name: 'args: --state file missing', args: ['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}', '--state', 'missing.json'], files: { 'config.json': config, 'catalog.json': ACCOUNT }, failureType: 'config_error', says: /Cannot read the state/ },
  { name: 'args: --about with an unknown format', args: ['--about', '--format', 'yaml'], says: /format/ },
  { name: 'args: unknown Singer flag', args: ['--config', '{file:config.json}', '--dicsover'], files: { 'config.json': config }, says: /dicsover/ },
];

const HTML = '<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body><h1>Bad Gateway</h1><p>The proxy could not reach the upstream server.</p></body></html>';

const SERVER_CASES = (): Case[] => [
  { name: 'server: an HTML error page from a proxy', args: ['discover', '--config', '{file:config.json}'], files: { 'config.json': config }, failureType: 'transient_error', says: /502/, faults: [{ route: 'rest.describeGlobal', status: 502, body: HTML, headers: { 'content-type': 'text/html' }, times: Infinity }] },
  { name: 'server: a proxy login page with status 200', args: ['discover', '--config', '{file:config.json}'], files: { 'config.json': config }, failureType: 'transient_error', says: /HTML/, faults: [{ route: 'rest.describeGlobal', status: 200, body: HTML, headers: { 'content-type': 'text/html' }, times: Infinity }] },
  { name: 'server: a token reply that is not JSON', args: ['discover', '--config', '{file:config.json}'], files: { 'config.json': config }, failureType: 'transient_error', says: /HTML/, faults: [{ route: 'oauth.token', status: 200, body: HTML, headers: { 'content-type': 'text/html' }, times: Infinity }] },
  { name: 'server: a token reply without access_token', args: ['discover', '--config', '{file:config.json}'], files: { 'config.json': config }, failureType: 'system_error', says: /access_token/, faults: [{ route: 'oauth.token', status: 200, body: { instance_url: 'http://127.0.0.1:1', token_type: 'Bearer' }, times: Infinity }] },
  { name: 'server: JSON of the wrong shape for describes', args: ['discover', '--config', '{file:config.json}'], files: { 'config.json': config }, failureType: 'system_error', says: /composite|describe|unexpected/i, faults: [{ route: 'rest.composite', status: 200, body: { results: [] }, times: Infinity }] },
  { name: 'server: JSON with the wrong content type', args: ['discover', '--config', '{file:config.json}'], files: { 'config.json': config }, failureType: 'transient_error', says: /text\/plain body instead of JSON/, faults: [{ route: 'rest.describeGlobal', status: 200, body: 'sobjects: none', headers: { 'content-type': 'text/plain' }, times: Infinity }] },
  { name: 'server: an enormous error message', args: ['discover', '--config', '{file:config.json}'], files: { 'config.json': config }, failureType: 'system_error', says: /UNKNOWN_EXCEPTION/, faults: [{ route: 'rest.describeGlobal', status: 400, body: [{ errorCode: 'UNKNOWN_EXCEPTION', message: 'x'.repeat(1_000_000) }], times: Infinity }] },
  { name: 'server: unterminated CSV in Bulk results', args: ['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}'], files: { 'config.json': config, 'catalog.json': ACCOUNT }, failureType: 'system_error', says: /CSV|quoted/i, faults: [{ route: 'bulk.results', status: 200, body: '"Id","Name"\n"001000000000001AAA","unterminated', headers: { 'content-type': 'text/csv', 'sforce-locator': 'null', 'sforce-numberofrecords': '1' }, times: Infinity }] },
  { name: 'server: a job reply without an id', args: ['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}'], files: { 'config.json': config, 'catalog.json': ACCOUNT }, failureType: 'system_error', says: /job/i, faults: [{ route: 'bulk.create', status: 200, body: { state: 'UploadComplete' }, times: Infinity }] },
];

function expectCleanFailure(run: Awaited<ReturnType<typeof runTap>>, kase: Case): void {
  expect(run.signal, 'it must end by itself').toBeNull();
  expect(run.exitCode, run.stderr).not.toBe(0);
  const errorLines = run.stderr.split('\n').filter((l) => /\bERROR\b/.test(l));
  expect(errorLines, run.stderr).toHaveLength(1);
  expect(errorLines[0]!.length, 'the error line stays readable').toBeLessThan(1500);
  expect(errorLines[0]).toMatch(kase.says);
  expect(run.stderr, 'no stack trace').not.toMatch(/^\s+at /m);
  if (kase.failureType) {
    assertValidAirbyteLines(run.stdout);
    const errors = run.errors();
    expect(errors).toHaveLength(1);
    expect(errors[0]!.failure_type).toBe(kase.failureType);
  }
}

describe('bad input', () => {
  it('the corpus has at least 50 cases', () => {
    expect(INPUT_CASES().length + SERVER_CASES().length).toBeGreaterThanOrEqual(50);
  });

  describe.concurrent('configs, catalogs, states and arguments', () => {
    it.each(INPUT_CASES().map((k) => [k.name, k] as const))('%s', async (_, kase) => {
      expectCleanFailure(await runTap(kase.args, { files: kase.files ?? {}, timeoutMs: 30_000 }), kase);
    });
  });

  describe('server replies', () => {
    beforeEach(() => emulator.faults.clear());
    it.each(SERVER_CASES().map((k) => [k.name, k] as const))('%s', async (_, kase) => {
      for (const fault of kase.faults ?? []) emulator.faults.add(fault);
      expectCleanFailure(await runTap(kase.args, { files: kase.files ?? {}, timeoutMs: 60_000 }), kase);
    });
  });
});
