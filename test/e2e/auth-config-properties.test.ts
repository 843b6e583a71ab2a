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
import { runTap } from '../helpers/run-tap.js';

/** CLI runs per test run (the README's reliability section quotes it). */
const CLI_CONFIG_PROPERTY_RUNS = 20;

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
/** login_url counts as required here: without it a login would leave for login.salesforce.com. */
const REQUIRED: Readonly<Record<TapAuthFlow, string[]>> = {
  oauth_refresh_token: ['client_id', 'refresh_token', 'login_url'],
  password: ['client_id', 'client_secret', 'username', 'password', 'login_url'],
  client_credentials: ['client_id', 'client_secret', 'login_url'],
  jwt: ['client_id', 'username', 'private_key', 'login_url'],
  soap: ['username', 'password', 'login_url'],
  access_token: ['access_token', 'instance_url'],
};

function flows(): FlowCredentials[] {
  return (Object.keys(USES) as TapAuthFlow[]).map((flow) => ({ flow, config: emulator.tapConfig(flow), required: REQUIRED[flow], uses: USES[flow] }));
}

async function runCase(c: ConfigCase, airbyte: boolean): Promise<void> {
  const json = JSON.stringify(c.config);
  const args = airbyte ? ['check', '--config', '{file:config.json}'] : ['--config', '{file:config.json}', '--test'];
  const run = await runTap(args, { files: { 'config.json': c.text ? c.text(json) : json } });
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

describe('config inputs through the CLI, property-based', () => {
  it(`answers ${CLI_CONFIG_PROPERTY_RUNS} generated and mutated configs with one error line, a named warning, or a connection`, async () => {
    const otherFlowKeys = { client_secret: 'client-secret-2', refresh_token: 'refresh-token-2', jwt_audience: 'https://community.example.com', security_token: 'security-token-2' };
    await fc.assert(
      fc.asyncProperty(configCases(flows(), { withText: true, otherFlowKeys }), fc.boolean(), async (c, airbyte) => {
        emulator.journal.clear();
        await runCase(c, airbyte);
      }),
      // Shrinking respawns the CLI per step: a few steps say enough.
      { numRuns: CLI_CONFIG_PROPERTY_RUNS, endOnFailure: true },
    );
  }, 600_000);
});
