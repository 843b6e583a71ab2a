/**
 * Property: whatever a config holds (schema-generated settings, then mutated), parsing it ends in
 * one config error line naming the setting, or a config with a warning naming it, or (for a
 * documented spelling of the same value) the same config: never a crash, never a secret in a
 * message, never a silently different meaning. The same cases run through the CLI in
 * test/e2e/auth-config-properties.test.ts.
 */
import { generateKeyPairSync } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/parse-config.js';
import type { TapConfig } from '../../../src/config/types.js';
import { TapError } from '../../../src/core/errors.js';
import { configCases, judgeConfigCase, type FlowCredentials } from '../../helpers/config-arbitraries.js';

/** Inputs tried per run (the README's reliability section quotes it). */
const CONFIG_PROPERTY_RUNS = 1000;

const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const HOST = { login_url: 'https://acme.my.salesforce.com' };
const HOST_KEYS = ['login_url', 'is_sandbox', 'instance_url'];
const FLOWS: FlowCredentials[] = [
  { flow: 'oauth_refresh_token', config: { auth_type: 'oauth_refresh_token', ...HOST, client_id: 'client-id-1', client_secret: 'client-secret-1', refresh_token: 'refresh-token-1' }, required: ['client_id', 'refresh_token'], uses: ['client_id', 'client_secret', 'refresh_token', ...HOST_KEYS] },
  { flow: 'password', config: { auth_type: 'password', ...HOST, client_id: 'client-id-1', client_secret: 'client-secret-1', username: 'user@example.com', password: 'password-1', security_token: 'security-token-1' }, required: ['client_id', 'client_secret', 'username', 'password'], uses: ['client_id', 'client_secret', 'username', 'password', 'security_token', ...HOST_KEYS] },
  { flow: 'client_credentials', config: { auth_type: 'client_credentials', ...HOST, client_id: 'client-id-1', client_secret: 'client-secret-1' }, required: ['client_id', 'client_secret', 'login_url'], uses: ['client_id', 'client_secret', ...HOST_KEYS] },
  { flow: 'jwt', config: { auth_type: 'jwt', ...HOST, client_id: 'client-id-1', username: 'user@example.com', private_key: pem }, required: ['client_id', 'username', 'private_key'], uses: ['client_id', 'username', 'private_key', 'jwt_audience', ...HOST_KEYS] },
  { flow: 'soap', config: { auth_type: 'soap', ...HOST, username: 'user@example.com', password: 'password-1' }, required: ['username', 'password'], uses: ['username', 'password', 'security_token', ...HOST_KEYS] },
  { flow: 'access_token', config: { auth_type: 'access_token', access_token: '00Dxx!access-token-1', instance_url: 'https://acme.my.salesforce.com' }, required: ['access_token', 'instance_url'], uses: ['access_token', 'instance_url'] },
];
const OTHER_FLOW_KEYS = { client_secret: 'client-secret-2', refresh_token: 'refresh-token-2', password: 'password-2', jwt_audience: 'https://community.example.com', security_token: 'security-token-2', username: 'someone@example.com' };

const NOW = Date.parse('2026-06-01T00:00:00Z');

describe('config parsing, property-based', () => {
  it(`answers ${CONFIG_PROPERTY_RUNS} generated and mutated configs with one error line, a named warning, or the same meaning`, () => {
    fc.assert(
      fc.property(configCases(FLOWS, { otherFlowKeys: OTHER_FLOW_KEYS }), (c) => {
        let config: TapConfig | undefined;
        let error: TapError | undefined;
        try {
          config = parseConfig(c.config, { now: () => NOW });
        } catch (caught) {
          expect(caught, JSON.stringify(c.mutations)).toBeInstanceOf(TapError);
          error = caught as TapError;
          expect(error.kind).toBe('config');
          expect(error.message).not.toContain('\n');
        }
        const warnings = config?.warnings ?? [];
        judgeConfigCase(c, { ...(error ? { error } : {}), warnings, output: [error?.message ?? '', ...warnings].join('\n') });
      }),
      { numRuns: CONFIG_PROPERTY_RUNS },
    );
  }, 120_000);
});
