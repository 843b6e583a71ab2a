import { createHash, createHmac, createSign, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { api, httpRequest, passwordParams, postForm } from './http-client.js';

let em: Emulator;
const tokenUrl = () => `${em.loginUrl}/services/oauth2/token`;

beforeAll(async () => {
  em = await startEmulator({ records: 20, seed: 7 });
});
afterAll(async () => {
  await em.close();
});
beforeEach(() => {
  Object.assign(em.settings, {
    passwordFlowEnabled: true,
    connectedAppState: 'active',
    jwtPreAuthorized: true,
    rotateRefreshTokens: false,
    clientCredentialsEnabled: true,
    securityTokenRequired: true,
  });
  em.journal.clear();
});

function signJwt(claims: Record<string, unknown>, privateKeyPem = em.credentials.privateKeyPem!, alg = 'RS256'): string {
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${enc({ alg })}.${enc(claims)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(privateKeyPem).toString('base64url');
  return `${input}.${signature}`;
}

function jwtClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    iss: em.credentials.clientId,
    sub: em.credentials.username,
    aud: 'https://login.salesforce.com',
    exp: Math.floor(Date.now() / 1000) + 180,
    ...overrides,
  };
}

describe('password grant', () => {
  it('returns the documented token body: org-id-prefixed token, string ms issued_at, signature, no expires_in', async () => {
    const res = await postForm(tokenUrl(), passwordParams(em));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/json;charset=UTF-8');
    const body = res.json<Record<string, string>>();
    expect(Object.keys(body).sort()).toEqual(['access_token', 'id', 'instance_url', 'issued_at', 'signature', 'token_type']);
    expect(body.access_token).toMatch(new RegExp(`^${em.org.orgId.slice(0, 15)}!`));
    expect(body.instance_url).toBe(em.instanceUrl);
    expect(body.token_type).toBe('Bearer');
    expect(body.issued_at).toMatch(/^\d{13}$/);
    expect(body.id).toMatch(new RegExp(`^${em.loginUrl}/id/00D\\w{15}/${em.org.userId}$`));
    const expected = createHmac('sha256', em.credentials.clientSecret).update(body.id! + body.issued_at!).digest('base64');
    expect(body.signature).toBe(expected);
    const data = await api(em, body.access_token!, '/services/data/v62.0/limits');
    expect(data.status).toBe(200);
  });

  it('builds the id URL from the sandbox host when the login went there', async () => {
    const res = await postForm(`${em.sandboxLoginUrl}/services/oauth2/token`, passwordParams(em));
    expect(res.json<{ id: string }>().id.startsWith(`${em.sandboxLoginUrl}/id/`)).toBe(true);
  });

  it('accepts parameters in the query string and the client in Basic auth', async () => {
    const { client_id, client_secret, ...rest } = passwordParams(em);
    const qs = new URLSearchParams(rest).toString();
    const basic = Buffer.from(`${client_id}:${client_secret}`).toString('base64');
    const res = await httpRequest(`${tokenUrl()}?${qs}`, { method: 'POST', headers: { Authorization: `Basic ${basic}` } });
    expect(res.status).toBe(200);
  });

  it.each([
    ['a wrong password', (p: Record<string, string>) => ({ ...p, password: 'nope' })],
    ['the password without its security token', (p: Record<string, string>) => ({ ...p, password: em.credentials.password })],
    ['an unknown user', (p: Record<string, string>) => ({ ...p, username: 'someone@else.example.com' })],
  ])('answers invalid_grant authentication failure for %s', async (_, change) => {
    const params = change(passwordParams(em));
    const res = await postForm(tokenUrl(), params);
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_grant', error_description: 'authentication failure' });
  });

  it('accepts the bare password when the security token is not required', async () => {
    em.settings.securityTokenRequired = false;
    const res = await postForm(tokenUrl(), { ...passwordParams(em), password: em.credentials.password });
    expect(res.status).toBe(200);
  });

  it('fails a blocked username-password flow exactly like bad credentials', async () => {
    em.settings.passwordFlowEnabled = false;
    const res = await postForm(tokenUrl(), passwordParams(em));
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_grant', error_description: 'authentication failure' });
  });

  it('answers invalid_client_id for an unknown consumer key and for an app not yet active', async () => {
    const unknown = await postForm(tokenUrl(), { ...passwordParams(em), client_id: 'nope' });
    expect(unknown.json()).toEqual({ error: 'invalid_client_id', error_description: 'client identifier invalid' });
    em.settings.connectedAppState = 'not-yet-active';
    const pending = await postForm(tokenUrl(), passwordParams(em));
    expect(pending.status).toBe(400);
    expect(pending.json()).toEqual({ error: 'invalid_client_id', error_description: 'client identifier invalid' });
  });

  it('answers invalid_client for a wrong or missing secret', async () => {
    const wrong = await postForm(tokenUrl(), { ...passwordParams(em), client_secret: 'bad' });
    expect(wrong.json()).toEqual({ error: 'invalid_client', error_description: 'invalid client credentials' });
    const { client_secret: _, ...without } = passwordParams(em);
    const missing = await postForm(tokenUrl(), without);
    expect(missing.json()).toEqual({ error: 'invalid_client', error_description: 'invalid client credentials' });
  });

  it('refuses users the app is not admin-approved for', async () => {
    em.settings.connectedAppState = 'not-approved';
    const res = await postForm(tokenUrl(), passwordParams(em));
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_app_access', error_description: 'user is not admin approved to access this app' });
  });

  it('answers unsupported_grant_type for unknown grants', async () => {
    const res = await postForm(tokenUrl(), { grant_type: 'magic' });
    expect(res.json()).toEqual({ error: 'unsupported_grant_type', error_description: 'grant type not supported' });
  });

  it('serves urlencoded and xml formats when asked', async () => {
    const form = await postForm(tokenUrl(), { ...passwordParams(em), format: 'urlencoded' });
    expect(new URLSearchParams(form.text).get('token_type')).toBe('Bearer');
    const xml = await postForm(tokenUrl(), passwordParams(em), { Accept: 'application/xml' });
    expect(xml.text).toMatch(/^<\?xml[^>]*><OAuth><access_token>00D/);
  });

  it('journals token calls by grant without their secrets', async () => {
    const { password, ...rest } = passwordParams(em);
    await httpRequest(`${tokenUrl()}?${new URLSearchParams({ ...rest, password: password! })}`, { method: 'POST' });
    const entries = em.journal.entries({ route: 'oauth.token', grantType: 'password' });
    expect(entries).toHaveLength(1);
    expect(entries[0]!.query['password']).toBe('***');
    expect(entries[0]!.query['client_secret']).toBe('***');
    expect(JSON.stringify(entries)).not.toContain(em.credentials.password);
  });
});

describe('refresh_token grant', () => {
  const refresh = (token = em.credentials.refreshToken, extra: Record<string, string> = {}) =>
    postForm(tokenUrl(), { grant_type: 'refresh_token', client_id: em.credentials.clientId, refresh_token: token, ...extra });

  it('issues a token with scope and signature and no new refresh token by default', async () => {
    const res = await refresh();
    expect(res.status).toBe(200);
    const body = res.json<Record<string, string>>();
    expect(body.scope).toBe(em.settings.scope);
    expect(body.signature).toBeTruthy();
    expect(body.refresh_token).toBeUndefined();
    expect(body).not.toHaveProperty('expires_in');
  });

  it('rotates: returns a new refresh token and revokes the old one', async () => {
    em.settings.rotateRefreshTokens = true;
    const first = await refresh();
    const rotated = first.json<{ refresh_token: string }>().refresh_token;
    expect(rotated).toMatch(/^5Aep861/);
    const old = await refresh();
    expect(old.json()).toEqual({ error: 'invalid_grant', error_description: 'expired access/refresh token' });
    const next = await refresh(rotated);
    expect(next.status).toBe(200);
    // keep the published token usable for the other tests
    em.settings.rotateRefreshTokens = false;
  });

  it('answers expired access/refresh token for unknown or revoked tokens', async () => {
    const res = await refresh('5Aep861bogus');
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_grant', error_description: 'expired access/refresh token' });
  });

  it('checks the secret only when one is sent', async () => {
    const res = await refresh(undefined, { client_secret: 'wrong' });
    expect(res.json()).toEqual({ error: 'invalid_client', error_description: 'invalid client credentials' });
  });
});

describe('client_credentials grant', () => {
  const params = () => ({ grant_type: 'client_credentials', client_id: em.credentials.clientId, client_secret: em.credentials.clientSecret });

  it('works on the My Domain host', async () => {
    const res = await postForm(`${em.myDomainUrl}/services/oauth2/token`, params());
    expect(res.status).toBe(200);
    expect(res.json<{ scope: string }>().scope).toBe(em.settings.scope);
  });

  it('is refused on the login host', async () => {
    const res = await postForm(tokenUrl(), params());
    expect(res.status).toBe(400);
    expect(res.json<{ error: string }>().error).toBe('invalid_grant');
  });

  it('is refused without a run-as user', async () => {
    em.settings.clientCredentialsEnabled = false;
    const res = await postForm(`${em.myDomainUrl}/services/oauth2/token`, params());
    expect(res.json()).toEqual({ error: 'invalid_grant', error_description: 'no client credentials user enabled' });
  });
});

describe('JWT bearer grant', () => {
  const jwt = (assertion: string, url = tokenUrl()) =>
    postForm(url, { grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });

  it('issues a token for an RS256 assertion signed with the configured key', async () => {
    const res = await jwt(signJwt(jwtClaims()));
    expect(res.status).toBe(200);
    const body = res.json<Record<string, string>>();
    expect(body.scope).toBeDefined();
    expect(body.signature).toBeUndefined();
    expect(body.refresh_token).toBeUndefined();
  });

  it('accepts each host under its own audience', async () => {
    expect((await jwt(signJwt(jwtClaims({ aud: 'https://test.salesforce.com' })), `${em.sandboxLoginUrl}/services/oauth2/token`)).status).toBe(200);
    expect((await jwt(signJwt(jwtClaims({ aud: em.loginUrl })))).status).toBe(200);
    const wrong = await jwt(signJwt(jwtClaims({ aud: 'https://test.salesforce.com' })));
    expect(wrong.json()).toEqual({ error: 'invalid_grant', error_description: 'audience is invalid' });
  });

  it('rejects a signature from another key', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const res = await jwt(signJwt(jwtClaims(), other));
    expect(res.json()).toEqual({ error: 'invalid_grant', error_description: 'invalid assertion' });
  });

  it('rejects expired assertions beyond the clock skew', async () => {
    const res = await jwt(signJwt(jwtClaims({ exp: Math.floor(Date.now() / 1000) - 600 })));
    expect(res.json<{ error: string }>().error).toBe('invalid_grant');
  });

  it("answers user hasn't approved this consumer when the user is not pre-authorized", async () => {
    em.settings.jwtPreAuthorized = false;
    const res = await jwt(signJwt(jwtClaims()));
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ error: 'invalid_grant', error_description: "user hasn't approved this consumer" });
  });

  it('answers invalid_client_id for an unknown issuer', async () => {
    const res = await jwt(signJwt(jwtClaims({ iss: 'someone' })));
    expect(res.json()).toEqual({ error: 'invalid_client_id', error_description: 'client identifier invalid' });
  });
});

describe('authorization_code grant with /services/oauth2/authorize', () => {
  async function authorize(extra: Record<string, string>): Promise<URL> {
    const q = new URLSearchParams({ response_type: 'code', client_id: em.credentials.clientId, redirect_uri: em.credentials.redirectUri, state: 's1', ...extra });
    const res = await httpRequest(`${em.loginUrl}/services/oauth2/authorize?${q}`);
    expect(res.status).toBe(302);
    return new URL(String(res.headers['location']));
  }
  const exchange = (code: string, extra: Record<string, string> = {}) =>
    postForm(tokenUrl(), { grant_type: 'authorization_code', code, client_id: em.credentials.clientId, client_secret: em.credentials.clientSecret, redirect_uri: em.credentials.redirectUri, ...extra });

  it('redirects with a code and state, and the code yields tokens with a refresh token once', async () => {
    const location = await authorize({});
    expect(location.origin + location.pathname).toBe(em.credentials.redirectUri);
    expect(location.searchParams.get('state')).toBe('s1');
    const code = location.searchParams.get('code')!;
    const res = await exchange(code);
    expect(res.status).toBe(200);
    expect(res.json<{ refresh_token: string }>().refresh_token).toMatch(/^5Aep861/);
    const again = await exchange(code);
    expect(again.json<{ error: string }>().error).toBe('invalid_grant');
  });

  it('verifies PKCE S256 and plain', async () => {
    const verifier = 'v'.repeat(50);
    const s256 = createHash('sha256').update(verifier).digest('base64url');
    const bad = await exchange((await authorize({ code_challenge: s256, code_challenge_method: 'S256' })).searchParams.get('code')!, { code_verifier: 'w'.repeat(50) });
    expect(bad.json()).toEqual({ error: 'invalid_grant', error_description: 'invalid code verifier' });
    const good = await exchange((await authorize({ code_challenge: s256, code_challenge_method: 'S256' })).searchParams.get('code')!, { code_verifier: verifier });
    expect(good.status).toBe(200);
    const plain = await exchange((await authorize({ code_challenge: verifier })).searchParams.get('code')!, { code_verifier: verifier });
    expect(plain.status).toBe(200);
  });

  it('sends OAUTH_APPROVAL_ERROR_GENERIC to the callback when the app is not approved', async () => {
    em.settings.connectedAppState = 'not-approved';
    const location = await authorize({});
    expect(location.searchParams.get('error')).toBe('OAUTH_APPROVAL_ERROR_GENERIC');
    expect(location.searchParams.get('code')).toBeNull();
  });
});
