import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertValidAirbyteLines } from '../helpers/airbyte-validator.js';
import { CLI_PATH, expectNoSecrets, runTap } from '../helpers/run-tap.js';

const schema = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'schemas', 'config.schema.json'), 'utf8')) as { properties: Record<string, unknown> };
const SECRET = 'very-secret-refresh-token-123';

beforeAll(() => {
  // The e2e project runs after `npm run build` (pretest); fail clearly if it did not.
  readFileSync(CLI_PATH);
});

describe('tap-salesforce CLI', () => {
  it('spec prints one valid SPEC message whose connection spec is schemas/config.schema.json', async () => {
    const run = await runTap(['spec']);
    expect(run.exitCode).toBe(0);
    const messages = assertValidAirbyteLines(run.stdout);
    expect(messages).toHaveLength(1);
    expect((messages[0]!.spec as { connectionSpecification: unknown }).connectionSpecification).toEqual(schema);
  });

  it('--about --format json prints the Meltano about document with the same settings', async () => {
    const run = await runTap(['--about', '--format', 'json']);
    expect(run.exitCode).toBe(0);
    const about = JSON.parse(run.stdout) as { settings: { properties: Record<string, unknown> } };
    expect(Object.keys(about.settings.properties)).toEqual(Object.keys(schema.properties));
  });

  it('--about prints markdown naming each setting and its environment variable', async () => {
    const run = await runTap(['--about']);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('TAP_SALESFORCE_CLIENT_ID');
  });

  it('--version prints the version', async () => {
    const run = await runTap(['--version']);
    expect(run.stdout).toMatch(/^tap-salesforce \d+\.\d+\.\d+\n$/);
  });

  it('rejects an invalid Singer config with one stderr line naming the field, exit 3, no secret echoed', async () => {
    const run = await runTap(['--config', '{file:config.json}', '--discover'], {
      files: { 'config.json': { client_id: 'cid', refresh_token: SECRET, start_date: 'yesterday' } },
    });
    expect(run.exitCode).toBe(3);
    expect(run.stdout).toBe('');
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('`start_date`');
    expect(lines[0]).toContain('TAP_CONFIG_INVALID');
    expectNoSecrets(run, [SECRET]);
  });

  it('answers an Airbyte check with an invalid config with FAILED and exit 0', async () => {
    const run = await runTap(['check', '--config', '{file:config.json}'], {
      files: { 'config.json': { client_id: 'cid', refresh_token: SECRET, max_records: 'lots' } },
    });
    expect(run.exitCode).toBe(0);
    const messages = assertValidAirbyteLines(run.stdout);
    const statuses = messages.filter((m) => m.type === 'CONNECTION_STATUS');
    expect(statuses).toHaveLength(1);
    expect(statuses[0]!.connectionStatus).toMatchObject({ status: 'FAILED', message: expect.stringContaining('`max_records`') });
    expectNoSecrets(run, [SECRET]);
  });

  it('ends an Airbyte discover with a bad config in one config_error TRACE and a non-zero exit', async () => {
    const run = await runTap(['discover', '--config', '{file:config.json}'], { files: { 'config.json': '{not json' } });
    expect(run.exitCode).toBe(3);
    const messages = assertValidAirbyteLines(run.stdout);
    expect(messages).toHaveLength(1);
    expect(run.errors()).toEqual([expect.objectContaining({ failure_type: 'config_error' })]);
  });

  it('reads settings from TAP_SALESFORCE_* env vars with --config ENV', async () => {
    const run = await runTap(['--config', 'ENV', '--discover'], {
      env: { TAP_SALESFORCE_CLIENT_ID: 'cid', TAP_SALESFORCE_REFRESH_TOKEN: SECRET, TAP_SALESFORCE_IS_SANDBOX: 'maybe' },
    });
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('`is_sandbox`');
    expectNoSecrets(run, [SECRET]);
  });

  it('refuses unknown arguments with a usage hint and exit 3', async () => {
    const run = await runTap(['--config', 'x.json', '--catlog', 'y.json']);
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toContain('TAP_ARGUMENTS_INVALID');
  });

  it('shows no stack trace for user errors, and a redacted one with --debug', async () => {
    const files = { 'config.json': { client_id: 'cid', refresh_token: SECRET, start_date: 'nope' } };
    const plain = await runTap(['--config', '{file:config.json}'], { files });
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    const debug = await runTap(['--config', '{file:config.json}', '--debug'], { files });
    expect(debug.stderr).toMatch(/at /);
    expectNoSecrets(debug, [SECRET]);
  });
});
