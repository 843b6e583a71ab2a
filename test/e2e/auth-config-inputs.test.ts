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
