/**
 * Config inputs through the real CLI: whatever the config holds, the run ends in one clear error
 * line (or goes on with a named warning), never a stack trace, never a secret, and never exit 0
 * with a meaning the user did not write.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { assertValidAirbyteLines } from '../helpers/airbyte-validator.js';
import { runTap, type TapRun } from '../helpers/run-tap.js';

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ records: 10, seed: 4 });
});
afterAll(async () => {
  await emulator.close();
});

const nested = (depth: number): unknown => {
  let value: unknown = {};
  for (let i = 1; i < depth; i++) value = { a: value };
  return value;
};

/** One error line, no stack trace: what every refused input must end in. */
function expectOneErrorLine(run: TapRun, code: string): void {
  const errorLines = run.stderr.split('\n').filter((line) => / ERROR /.test(line));
  expect(errorLines, run.stderr).toHaveLength(1);
  expect(errorLines[0]).toContain(`[${code}]`);
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.stderr).not.toMatch(/Maximum call stack/);
}

describe('a config nested 5,000 levels deep', () => {
  // Built by hand: JSON.stringify of 5,000 levels is itself near the stack limit on some hosts.
  const deepText = (): string => `{"client_id":"c","refresh_token":"r","x":${'{"a":'.repeat(4999)}{}${'}'.repeat(4999)}}`;

  it('is refused in one line naming the input and the limit (Airbyte: TRACE config_error, exit 3)', async () => {
    const run = await runTap(['discover', '--config', '{file:config.json}'], { files: { 'config.json': deepText() } });
    assertValidAirbyteLines(run.stdout);
    expect(run.exitCode).toBe(3);
    expectOneErrorLine(run, 'TAP_CONFIG_TOO_DEEP');
    expect(run.stderr).toMatch(/config file .*config\.json nests arrays and objects more than 64 levels deep/);
    expect(run.errors()).toEqual([expect.objectContaining({ failure_type: 'config_error' })]);
  });

  it('is refused the same way by Singer, and inside an env var setting', async () => {
    const singer = await runTap(['--config', '{file:config.json}', '--discover'], { files: { 'config.json': deepText() } });
    expect(singer.exitCode).toBe(3);
    expectOneErrorLine(singer, 'TAP_CONFIG_TOO_DEEP');
    const env = await runTap(['--config', 'ENV', '--discover'], {
      env: { TAP_SALESFORCE_CLIENT_ID: 'c', TAP_SALESFORCE_REFRESH_TOKEN: 'r', TAP_SALESFORCE_STREAM_WHERE: JSON.stringify(nested(200)) },
    });
    expect(env.exitCode).toBe(3);
    expectOneErrorLine(env, 'TAP_CONFIG_TOO_DEEP');
    expect(env.stderr).toContain('The setting `stream_where` nests arrays and objects');
  });
});

describe('a config on stdin', () => {
  it('is read with `--config -`', async () => {
    const run = await runTap(['--config', '-', '--test'], { stdin: JSON.stringify(emulator.tapConfig('password')) });
    expect(run.exitCode, run.stderr).toBe(0);
    const airbyte = await runTap(['check', '--config', '-'], { stdin: JSON.stringify(emulator.tapConfig('jwt')) });
    expect(airbyte.ofType('CONNECTION_STATUS')[0]).toMatchObject({ connectionStatus: { status: 'SUCCEEDED' } });
  });

  it('is bounded in size like a file', async () => {
    const run = await runTap(['--config', '-', '--discover'], { stdin: `{"x": "${'y'.repeat(2 * 1024 * 1024)}"}` });
    expect(run.exitCode).toBe(3);
    expectOneErrorLine(run, 'TAP_CONFIG_TOO_LARGE');
    expect(run.stderr).toContain('The config from stdin is larger than 1 MiB');
  });
});

describe('config values that used to pass with another meaning', () => {
  const catalog = { streams: [{ stream: { name: 'Account', json_schema: {}, supported_sync_modes: ['full_refresh', 'incremental'] }, sync_mode: 'incremental', cursor_field: ['SystemModstamp'], destination_sync_mode: 'append' }] };

  it('refuses a login_url with a query string instead of dropping the query', async () => {
    const config = { ...emulator.tapConfig('password'), login_url: `${emulator.tapConfig('password').login_url}?so=00Dxx0000001gPL` };
    const singer = await runTap(['--config', '{file:config.json}', '--test'], { files: { 'config.json': config } });
    expect(singer.exitCode).toBe(3);
    expectOneErrorLine(singer, 'TAP_CONFIG_INVALID');
    expect(singer.stderr).toMatch(/`login_url`/);
    const airbyte = await runTap(['check', '--config', '{file:config.json}'], { files: { 'config.json': config } });
    expect(airbyte.ofType('CONNECTION_STATUS')[0]).toMatchObject({ connectionStatus: { status: 'FAILED', message: expect.stringMatching(/`login_url`/) } });
  });

  it('refuses a start_date in 2099 instead of reading no rows without a word', async () => {
    const config = { ...emulator.tapConfig('password'), start_date: '2099-01-01T00:00:00Z' };
    const run = await runTap(['read', '--config', '{file:config.json}', '--catalog', '{file:catalog.json}'], { files: { 'config.json': config, 'catalog.json': catalog } });
    assertValidAirbyteLines(run.stdout);
    expect(run.exitCode).toBe(3);
    expectOneErrorLine(run, 'TAP_CONFIG_INVALID');
    expect(run.errors()).toEqual([expect.objectContaining({ failure_type: 'config_error', message: expect.stringMatching(/`start_date` to be in the past/) })]);
  });

  it('refuses a config that sets a key twice (JSON would keep the last without a word)', async () => {
    const config = emulator.tapConfig('password');
    const text = JSON.stringify(config).replace(/^\{/, `{"client_id": "an-earlier-client-id",`);
    const run = await runTap(['--config', '{file:config.json}', '--test'], { files: { 'config.json': text } });
    expect(run.exitCode).toBe(3);
    expectOneErrorLine(run, 'TAP_CONFIG_DUPLICATE_KEY');
  });

  it('names the credentials a flow ignores in a warning, and still connects', async () => {
    const config = { ...emulator.tapConfig('jwt'), client_secret: emulator.tapConfig('password').client_secret };
    const run = await runTap(['--config', '{file:config.json}', '--test'], { files: { 'config.json': config } });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/ WARN .*`client_secret` is not used by the JWT bearer flow/);
  });
});
