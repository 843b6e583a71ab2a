/**
 * Property, through the real CLI against the emulator: configs generated from the config schema
 * (with each auth flow's working credentials) and mutated, in a file whose text may be mutated
 * too, run as Singer `--test` or Airbyte `check`. Each run ends in one error line naming the
 * setting, or connects with a warning naming it, or (a documented spelling of the same value)
 * connects without a word; never a stack trace, never a secret, never exit 0 with a silently
 * different meaning. The same verdict runs in-process, on many more cases, in
 * test/unit/config/config-properties.test.ts.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator, type TapAuthFlow } from '../../emulator/index.js';
import { configCases, judgeConfigCase, type ConfigCase, type FlowCredentials } from '../helpers/config-arbitraries.js';
import { runTap, runTapInProcess, type RunTapOptions, type TapRun } from '../helpers/run-tap.js';

/** Runs per test run (the README's reliability section quotes them): spawned CLIs, and the same CLI in-process. */
const SPAWNED_RUNS = 12;
const IN_PROCESS_RUNS = 300;

type Runner = (args: string[], options: RunTapOptions) => Promise<TapRun>;

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator({ records: 5, seed: 17 });
});
afterAll(async () => {
  await emulator.close();
});

const HOST_KEYS = ['login_url', 'is_sandbox', 'instance_url'];
const USES: Readonly<Record<TapAuthFlow, string[]>> = {
  oauth_refresh_token: ['client_id', 'client_secret', 'refresh_token', ...HOST_KEYS],
  password: ['client_id', 'client_secret', 'username', 'password', 'security_token', ...HOST_KEYS],
  client_credentials: ['client_id', 'client_secret', ...HOST_KEYS],
  jwt: ['client_id', 'username', 'private_key', 'jwt_audience', ...HOST_KEYS],
  soap: ['username', 'password', 'security_token', ...HOST_KEYS],
  access_token: ['access_token', 'instance_url'],
};
const REQUIRED: Readonly<Record<TapAuthFlow, string[]>> = {
  oauth_refresh_token: ['client_id', 'refresh_token'],
  password: ['client_id', 'client_secret', 'username', 'password'],
  client_credentials: ['client_id', 'client_secret', 'login_url'],
  jwt: ['client_id', 'username', 'private_key'],
  soap: ['username', 'password'],
  access_token: ['access_token', 'instance_url'],
};

function flows(): FlowCredentials[] {
  return (Object.keys(USES) as TapAuthFlow[]).map((flow) => ({ flow, config: emulator.tapConfig(flow), required: REQUIRED[flow], uses: USES[flow], keep: ['login_url'] }));
}

async function runCase(runner: Runner, c: ConfigCase, airbyte: boolean): Promise<void> {
  const json = JSON.stringify(c.config);
  const args = airbyte ? ['check', '--config', '{file:config.json}'] : ['--config', '{file:config.json}', '--test'];
  const run = await runner(args, { files: { 'config.json': c.text ? c.text(json) : json } });
  const story = `${airbyte ? 'airbyte' : 'singer'} ${JSON.stringify(c.mutations)}\n${run.stderr}`;
  expect(run.stderr, story).not.toMatch(/\n\s+at |Maximum call stack|TAP_INTERNAL/);
  const errorLines = run.stderr.split('\n').filter((line) => / ERROR /.test(line));
  expect(errorLines.length, story).toBeLessThanOrEqual(1);
  const warnings = run.stderr.split('\n').filter((line) => / WARN /.test(line));
  let refusal: { code: string; message: string } | undefined;
  if (airbyte) {
    expect(run.exitCode, story).toBe(0);
    const status = run.ofType('CONNECTION_STATUS')[0]?.connectionStatus as { status: string; message: string } | undefined;
    expect(status, story).toBeDefined();
    if (status!.status === 'FAILED' && /\[TAP_CONFIG_[A-Z_]+\]/.test(errorLines[0] ?? '')) refusal = { code: 'config', message: status!.message };
    if (c.mutations.every((m) => m.expect === 'same')) expect(status!.status, story).toBe('SUCCEEDED');
  } else {
    if (run.exitCode === 3) refusal = { code: 'config', message: errorLines[0] ?? '' };
    if (run.exitCode !== 0) expect(errorLines, story).toHaveLength(1);
    if (c.mutations.every((m) => m.expect === 'same')) expect(run.exitCode, story).toBe(0);
  }
  judgeConfigCase(c, { ...(refusal ? { error: refusal } : {}), warnings, output: `${run.stdout}\n${run.stderr}` });
}

const OTHER_FLOW_KEYS = { client_secret: 'client-secret-2', refresh_token: 'refresh-token-2', jwt_audience: 'https://community.example.com', security_token: 'security-token-2' };

function property(runner: Runner, numRuns: number): Promise<void> {
  return fc.assert(
    fc.asyncProperty(configCases(flows(), { withText: true, otherFlowKeys: OTHER_FLOW_KEYS }), fc.boolean(), async (c, airbyte) => {
      emulator.journal.clear();
      await runCase(runner, c, airbyte);
    }),
    // Shrinking reruns the CLI per step: a few steps say enough.
    { numRuns, endOnFailure: true },
  );
}

describe('config inputs through the CLI, property-based', () => {
  it(`answers ${SPAWNED_RUNS} generated and mutated configs, each in a spawned CLI, with one error line, a named warning, or a connection`, async () => {
    await property(runTap, SPAWNED_RUNS);
  }, 600_000);

  it(`answers ${IN_PROCESS_RUNS} more with the same CLI run in-process`, async () => {
    await property(runTapInProcess, IN_PROCESS_RUNS);
  }, 600_000);
});
