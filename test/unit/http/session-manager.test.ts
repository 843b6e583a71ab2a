import { describe, expect, it } from 'vitest';
import type { Authenticator, Session } from '../../../src/salesforce/auth/types.js';
import { createSessionManager } from '../../../src/salesforce/http/with-session.js';

function fakeAuthenticator(renewable = true): Authenticator & { calls: number } {
  const auth = {
    flow: 'oauth_refresh_token' as const,
    renewable,
    calls: 0,
    async login(): Promise<Session> {
      auth.calls += 1;
      await new Promise((r) => setImmediate(r));
      return { accessToken: `tok${auth.calls}`, instanceUrl: 'https://x.my.salesforce.com', obtainedAt: clock };
    },
  };
  return auth;
}
let clock = 0;

describe('session manager', () => {
  it('shares one login between concurrent first requests', async () => {
    const auth = fakeAuthenticator();
    const sessions = createSessionManager(auth, { maxAgeMs: 1000, now: () => clock });
    const all = await Promise.all([sessions.current(), sessions.current(), sessions.current()]);
    expect(new Set(all.map((s) => s.accessToken))).toEqual(new Set(['tok1']));
    expect(auth.calls).toBe(1);
  });

  it('logs in again proactively once the session is older than the maximum age', async () => {
    clock = 0;
    const auth = fakeAuthenticator();
    const sessions = createSessionManager(auth, { maxAgeMs: 1000, now: () => clock });
    await sessions.current();
    clock = 999;
    expect((await sessions.current()).accessToken).toBe('tok1');
    clock = 1001;
    expect((await sessions.current()).accessToken).toBe('tok2');
    expect(auth.calls).toBe(2);
  });

  it('renews a stale session once even when many requests report it', async () => {
    clock = 0;
    const auth = fakeAuthenticator();
    const sessions = createSessionManager(auth, { maxAgeMs: 1000, now: () => clock });
    const stale = await sessions.current();
    const renewed = await Promise.all([sessions.renew(stale), sessions.renew(stale)]);
    expect(renewed.map((s) => s.accessToken)).toEqual(['tok2', 'tok2']);
    expect((await sessions.renew(stale)).accessToken).toBe('tok2');
    expect(auth.calls).toBe(2);
  });

  it('refuses to renew a plain access token with an auth error', async () => {
    const sessions = createSessionManager(fakeAuthenticator(false), { maxAgeMs: 1000, now: () => clock });
    const stale = await sessions.current();
    await expect(sessions.renew(stale)).rejects.toMatchObject({ code: 'SF_INVALID_SESSION_ID', kind: 'auth' });
  });
});
