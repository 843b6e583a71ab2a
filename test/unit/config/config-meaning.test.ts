/**
 * Config values that used to pass while meaning something else than what the user wrote: each is
 * now refused with a line naming the setting, or accepted with a warning naming it.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/parse-config.js';
import { TapError } from '../../../src/core/errors.js';

const REFRESH = { client_id: 'cid', refresh_token: 'refresh-token-value' };
const NOW = Date.parse('2026-06-01T00:00:00Z');

function refusal(raw: Record<string, unknown>): TapError {
  try {
    parseConfig(raw, { now: () => NOW });
  } catch (error) {
    expect(error).toBeInstanceOf(TapError);
    expect((error as TapError).code).toBe('TAP_CONFIG_INVALID');
    expect((error as TapError).message).not.toContain('\n');
    return error as TapError;
  }
  throw new Error('expected the config to be refused');
}

describe('login and instance URLs', () => {
  it.each([
    ['a query string', 'https://acme.my.salesforce.com?startURL=/home'],
    ['a query string after a slash', 'https://acme.my.salesforce.com/?x=1'],
    ['a fragment', 'https://acme.my.salesforce.com#top'],
    ['a path', 'https://acme.my.salesforce.com/services'],
  ])('refuses a login_url with %s (only the host would be used)', (_, url) => {
    expect(refusal({ ...REFRESH, login_url: url }).message).toMatch(/`login_url`/);
    expect(refusal({ ...REFRESH, auth_type: 'access_token', access_token: 'tok-value', instance_url: url }).message).toMatch(/`instance_url`/);
  });

  it('refuses a URL with a user name and password in it without showing the password', () => {
    const error = refusal({ ...REFRESH, login_url: 'https://admin:hunter2-pass@acme.my.salesforce.com' });
    expect(error.message).toMatch(/`login_url`/);
    expect(error.message).not.toContain('hunter2-pass');
  });

  it('still accepts a bare host, with or without the trailing slash', () => {
    expect(parseConfig({ ...REFRESH, login_url: 'https://acme.my.salesforce.com/' }).auth.loginUrl).toBe('https://acme.my.salesforce.com');
  });
});

describe('start_date', () => {
  it('refuses a start date in the future (the sync would read no rows and say nothing)', () => {
    const error = refusal({ ...REFRESH, start_date: '2099-01-01T00:00:00Z' });
    expect(error.message).toMatch(/Expected `start_date` to be in the past, got `2099-01-01T00:00:00.000Z`/);
    expect(() => parseConfig({ ...REFRESH, start_date: '2026-05-31' }, { now: () => NOW })).not.toThrow();
  });
});

describe('credentials the chosen flow does not use', () => {
  it('names settings another flow would read, and the flow that was inferred', () => {
    const config = parseConfig({ ...REFRESH, password: 'pw-value', username: 'u@example.com', jwt_audience: 'https://x.example.com' });
    expect(config.auth.type).toBe('oauth_refresh_token');
    expect(config.warnings).toEqual([
      '`username`, `jwt_audience`, `password` are not used by the OAuth refresh token flow (auth_type `oauth_refresh_token`, inferred from the credentials present) and are ignored.',
    ]);
  });

  it('says that a plain access token ignores the login host', () => {
    const config = parseConfig({ auth_type: 'access_token', access_token: 'tok-value', instance_url: 'https://acme.my.salesforce.com', login_url: 'https://acme.my.salesforce.com', is_sandbox: false });
    expect(config.warnings).toEqual(['`login_url` is not used by a plain access token (auth_type `access_token`) and is ignored.']);
  });

  it('warns when is_sandbox contradicts a production login_url', () => {
    expect(parseConfig({ ...REFRESH, is_sandbox: true, login_url: 'https://login.salesforce.com' }).warnings).toEqual([
      '`is_sandbox` is true but `login_url` is https://login.salesforce.com, the production login host: logins go to `login_url`.',
    ]);
  });

  it('stays quiet for the settings each flow reads', () => {
    expect(parseConfig({ ...REFRESH, client_secret: 's', is_sandbox: true }).warnings).toEqual([]);
    expect(parseConfig({ auth_type: 'password', client_id: 'c', client_secret: 's', username: 'u', password: 'p', security_token: 't' }).warnings).toEqual([]);
  });
});

describe('Airbyte nested credentials', () => {
  it('warns when the nested and top-level values differ (the top level wins) and about unknown nested keys', () => {
    const config = parseConfig({ ...REFRESH, credentials: { auth_type: 'Client', client_id: 'other-client', refresh_token: 'refresh-token-value', clientid: 'x' } });
    expect(config.auth).toMatchObject({ type: 'oauth_refresh_token', clientId: 'cid' });
    expect(config.warnings).toEqual([
      '`client_id` is set both at the top level and in `credentials`, to different values: the top-level one is used.',
      'The setting `credentials.clientid` is not one tap-salesforce knows and is ignored.',
    ]);
  });

  it('treats Client and oauth_refresh_token as the same auth_type', () => {
    expect(parseConfig({ ...REFRESH, auth_type: 'oauth_refresh_token', credentials: { auth_type: 'Client' } }).warnings).toEqual([]);
  });
});

describe('values the schema check would coerce into another meaning', () => {
  it('refuses true for a number setting (it used to become 1)', () => {
    expect(refusal({ ...REFRESH, stream_concurrency: true }).message).toContain('Expected `stream_concurrency` to be a whole number, got `true`');
  });

  it('warns about keys every JavaScript object answers to, like any unknown setting', () => {
    expect(parseConfig({ ...REFRESH, constructor: 'x', toString: 'y' }).warnings).toEqual([
      'The setting `constructor` is not one tap-salesforce knows and is ignored.',
      'The setting `toString` is not one tap-salesforce knows and is ignored.',
    ]);
  });
});
