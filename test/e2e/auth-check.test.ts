/**
 * Every auth flow through the real CLI against the emulator: it connects (production and
 * sandbox), a wrong secret is a FAILED check with advice, an expired session is renewed once and
 * the request replayed; and each `check` failure a Salesforce admin meets says what to do.
 */
import { generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type TapAuthFlow } from '../../emulator/index.js';
import { assertValidAirbyteLines } from '../helpers/airbyte-validator.js';
import { expectNoSecrets, runTap, type TapRun } from '../helpers/run-tap.js';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ records: 30, seed: 9 });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.faults.clear();
  emulator.journal.clear();
});

const FLOWS: TapAuthFlow[] = ['password', 'oauth_refresh_token', 'client_credentials', 'jwt', 'soap', 'access_token'];
/** Flows that log in at login.salesforce.com / test.salesforce.com (the others go to My Domain or need no login). */
const LOGIN_HOST_FLOWS: TapAuthFlow[] = ['password', 'oauth_refresh_token', 'jwt', 'soap'];

const SECRET_KEYS = ['password', 'security_token', 'client_secret', 'refresh_token', 'access_token', 'private_key'];
const secretsOf = (config: Record<string, unknown>) => SECRET_KEYS.map((k) => config[k]).filter((v): v is string => typeof v === 'string' && v.length > 3);

async function check(config: Record<string, unknown>): Promise<{ run: TapRun; status: { status: string; message: string } }> {
  const run = await runTap(['check', '--config', '{file:config.json}'], { files: { 'config.json': config } });
  assertValidAirbyteLines(run.stdout);
  expect(run.exitCode, run.stderr).toBe(0);
  expectNoSecrets(run, secretsOf(config));
  const status = run.ofType('CONNECTION_STATUS')[0]!.connectionStatus as { status: string; message: string };
  return { run, status };
}

const otherKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;

/** The flow's config with its secret wrong. */
function withBadSecret(flow: TapAuthFlow, config: Record<string, unknown>): Record<string, unknown> {
  switch (flow) {
    case 'password': case 'soap': return { ...config, password: 'not-the-password' };
    case 'oauth_refresh_token': return { ...config, refresh_token: '5Aep861revokedToken000000000000' };
    case 'client_credentials': return { ...config, client_secret: 'not-the-client-secret' };
    case 'jwt': return { ...config, private_key: otherKey };
    case 'access_token': return { ...config, access_token: '00Dxx0000000000!notAValidSessionToken' };
  }
}

describe.each(FLOWS)('auth flow %s', (flow) => {
  it('connects: check SUCCEEDED with objects and API calls remaining; Singer --test exits 0', async () => {
    const { status } = await check(emulator.tapConfig(flow));
    expect(status.status).toBe('SUCCEEDED');
    expect(status.message).toMatch(/queryable objects, \d+ of \d+ daily API requests remaining/);
    const singer = await runTap(['--config', '{file:config.json}', '--test'], { files: { 'config.json': emulator.tapConfig(flow) } });
    expect(singer.exitCode, singer.stderr).toBe(0);
    expect(singer.stdout).toBe('');
  });

  it('answers a wrong secret with FAILED, advice, exit 0 and no secret in any output', async () => {
    const { status, run } = await check(withBadSecret(flow, emulator.tapConfig(flow)));
    expect(status.status).toBe('FAILED');
    expect(status.message.length).toBeGreaterThan(40);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    const singer = await runTap(['--config', '{file:config.json}', '--test'], { files: { 'config.json': withBadSecret(flow, emulator.tapConfig(flow)) } });
    expect(singer.exitCode).toBe(4);
  });

  it(flow === 'access_token' ? 'stops with an auth error when the given session expires (it cannot be renewed)' : 'renews an expired session once, mid-read, and replays the request', async () => {
    const config = { ...emulator.tapConfig(flow), api_type: 'rest', rest_batch_size: 200 };
    const catalog = { streams: [{ stream: { name: 'Account', json_schema: {}, supported_sync_modes: ['full_refresh'] }, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' }] };
    emulator.faults.add({ route: 'rest.queryAll', action: 'session-expired' });
    const run = await runTap(['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}'], { files: { 'config.json': config, 'catalog.json': catalog } });
    assertValidAirbyteLines(run.stdout);
    expectNoSecrets(run, secretsOf(config));
    if (flow === 'access_token') {
      expect(run.exitCode).toBe(4);
      expect(run.errors()[0]).toMatchObject({ failure_type: 'config_error' });
      return;
    }
    expect(run.exitCode, run.stderr).toBe(0);
    const expected = [...emulator.org.prepareQuery('SELECT Id FROM Account', { includeDeleted: true }).rows()].map((r) => r.id).sort();
    expect(run.records().get('Account')!.map((r) => r.Id).sort()).toEqual(expected);
    const logins = emulator.journal.count({ route: /^(oauth\.token|soap\.login)$/ });
    expect(logins).toBe(2);
    expect(emulator.journal.count({ route: 'rest.queryAll', status: 401 })).toBe(1);
  });
});

describe.each(LOGIN_HOST_FLOWS)('sandbox, flow %s', (flow) => {
  it('logs in at the sandbox login host with is_sandbox', async () => {
    const { status } = await check({ ...emulator.tapConfig(flow), login_url: emulator.sandboxLoginUrl, is_sandbox: true });
    expect(status.status).toBe('SUCCEEDED');
    expect(emulator.journal.count({ route: /^(oauth\.token|soap\.login)$/, host: 'sandbox', status: 200 })).toBe(1);
  });
});

const tokenError = (error: string, description: string, status = 400) => ({ route: 'oauth.token', status, body: { error, error_description: description } });
const apiError = (route: string, status: number, errorCode: string, message: string) => ({ route, status, body: [{ message, errorCode }] });

describe('check failures say what to do', () => {
  it.each([
    ['bad credentials or a reset security token', 'password', tokenError('invalid_grant', 'authentication failure'), /security token.*password change resets it/],
    ['the username-password flow blocked by org policy', 'password', tokenError('invalid_grant', 'authentication failure'), /Allow OAuth Username-Password Flows/],
    ['a connected app not active yet', 'oauth_refresh_token', tokenError('invalid_client_id', 'client identifier invalid'), /2–10 minutes/],
    ['an app not installed or approved', 'jwt', tokenError('OAUTH_APPROVAL_ERROR_GENERIC', 'An unexpected error has occured during authentication. Please try again.'), /Approve Uninstalled Connected Apps.*Use Any API Client/],
    ['a user who has not approved the app', 'jwt', tokenError('invalid_grant', "user hasn't approved this consumer"), /pre-authorized/],
    ['client credentials without a run-as user', 'client_credentials', tokenError('invalid_grant', 'no client credentials user enabled'), /Run As/],
    ['the API not enabled for the org', 'oauth_refresh_token', apiError('rest.describeGlobal', 403, 'API_DISABLED_FOR_ORG', 'The REST API is not enabled for this Organization.'), /API is not enabled for this org/],
    ['INSUFFICIENT_ACCESS on /limits', 'password', apiError('rest.limits', 403, 'INSUFFICIENT_ACCESS', 'insufficient access rights on cross-reference id'), /View Setup and Configuration/],
  ] as const)('%s', async (_, flow, fault, advice) => {
    emulator.faults.add(fault);
    const { status } = await check(emulator.tapConfig(flow));
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(advice);
    expect(emulator.faults.pending()).toHaveLength(0);
  });

  it('a SOAP login without its security token', async () => {
    const { status } = await check({ ...emulator.tapConfig('soap'), security_token: undefined });
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/INVALID_LOGIN.*security token/);
  });

  it('an unreachable host', async () => {
    const { status } = await check({ ...emulator.tapConfig('password'), login_url: 'http://127.0.0.1:9' });
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/127\.0\.0\.1:9/);
  });

  it('a host that does not resolve', async () => {
    const { status } = await check({ ...emulator.tapConfig('password'), login_url: 'https://no-such-org.invalid' });
    expect(status.status).toBe('FAILED');
    expect(status.message).toMatch(/login_url/);
  });
});
