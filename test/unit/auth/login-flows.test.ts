import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/parse-config.js';
import { secrets } from '../../../src/core/secrets.js';
import { buildJwtAssertion, type JwtBearerAuth } from '../../../src/salesforce/auth/flows/jwt-bearer.js';
import { escapeXml, soapLoginVersion } from '../../../src/salesforce/auth/flows/soap-login.js';
import { createAuthenticator } from '../../../src/salesforce/auth/registry.js';
import { createBaseRequester } from '../../../src/salesforce/http/send-request.js';

let server: Server;
let base: string;
let handler: (req: IncomingMessage, body: string, res: ServerResponse) => void;
const requests: { url: string; body: string; headers: IncomingMessage['headers'] }[] = [];
const requester = createBaseRequester({ connections: 4, connectTimeoutMs: 5000, idleTimeoutMs: 5000 });

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      requests.push({ url: req.url ?? '', body, headers: req.headers });
      handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await requester.close();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  requests.length = 0;
});

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json;charset=UTF-8' });
  res.end(JSON.stringify(body));
}

function authenticator(raw: Record<string, unknown>, onRotated?: (t: string) => void) {
  const config = parseConfig({ login_url: base, ...raw });
  return createAuthenticator(config.auth, { apiVersion: config.apiVersion, send: requester.send, ...(onRotated ? { onRefreshTokenRotated: onRotated } : {}) });
}

describe('OAuth flows', () => {
  it('sends a password with any characters form-encoded, security token appended', async () => {
    const password = `p&a=s s+w%o"r'd<>ü€\\`;
    handler = (_req, body, res) => {
      const form = new URLSearchParams(body);
      expect(form.get('grant_type')).toBe('password');
      expect(form.get('password')).toBe(`${password}TOKEN123`);
      json(res, 200, { access_token: '00Dxx0000001gPL!AQ4AQtoken', instance_url: 'https://acme.my.salesforce.com/', token_type: 'Bearer' });
    };
    const session = await authenticator({ auth_type: 'password', client_id: 'c', client_secret: 's', username: 'u@x.com', password, security_token: 'TOKEN123' }).login();
    expect(session).toMatchObject({ accessToken: '00Dxx0000001gPL!AQ4AQtoken', instanceUrl: 'https://acme.my.salesforce.com' });
    expect(secrets.redact('00Dxx0000001gPL!AQ4AQtoken')).toBe('***');
  });

  it('keeps a rotated refresh token, registers it as secret and uses it on the next login', async () => {
    let n = 0;
    handler = (_req, body, res) => {
      n += 1;
      const form = new URLSearchParams(body);
      expect(form.get('refresh_token')).toBe(n === 1 ? 'refresh-original' : 'refresh-rotated-1');
      json(res, 200, { access_token: `00Dxx!tok${n}`, instance_url: base, refresh_token: `refresh-rotated-${n}` });
    };
    const rotated: string[] = [];
    const auth = authenticator({ client_id: 'c', refresh_token: 'refresh-original' }, (t) => void rotated.push(t));
    await auth.login();
    await auth.login();
    expect(rotated).toEqual(['refresh-rotated-1', 'refresh-rotated-2']);
    expect(secrets.redact('refresh-rotated-2')).toBe('***');
  });

  it.each([
    ['password', { error: 'invalid_grant', error_description: 'authentication failure' }, 'SF_INVALID_GRANT', /security token/],
    ['oauth_refresh_token', { error: 'invalid_grant', error_description: 'expired access/refresh token' }, 'SF_INVALID_GRANT', /authorize/],
    ['oauth_refresh_token', { error: 'invalid_client_id', error_description: 'client identifier invalid' }, 'SF_INVALID_CLIENT_ID', /2–10 minutes/],
    ['oauth_refresh_token', { error: 'invalid_client', error_description: 'invalid client credentials' }, 'SF_INVALID_CLIENT', /secret/],
    ['oauth_refresh_token', { error: 'OAUTH_APPROVAL_ERROR_GENERIC', error_description: 'An unexpected error has occured during authentication.' }, 'SF_OAUTH_APPROVAL_ERROR_GENERIC', /Approve Uninstalled Connected Apps/],
  ])('maps %s failure %j to %s with advice', async (flow, body, code, advice) => {
    handler = (_req, _b, res) => json(res, 400, body);
    const raw = flow === 'password' ? { auth_type: 'password', client_id: 'c', client_secret: 's', username: 'u', password: 'p' } : { client_id: 'c', refresh_token: 'r-token' };
    const error = await authenticator(raw).login().catch((e: unknown) => e);
    expect(error).toMatchObject({ code, kind: 'auth' });
    expect((error as Error).message).toMatch(advice);
  });

  it('sends client credentials to the configured My Domain host', async () => {
    handler = (_req, body, res) => {
      expect(new URLSearchParams(body).get('grant_type')).toBe('client_credentials');
      json(res, 200, { access_token: '00Dxx!cc', instance_url: base });
    };
    await authenticator({ client_id: 'c', client_secret: 's' }).login();
    expect(requests[0]!.url).toBe('/services/oauth2/token');
  });

  it('signs a JWT bearer assertion with RS256 and the right claims', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    handler = (_req, body, res) => {
      const form = new URLSearchParams(body);
      expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
      const [h, c, s] = form.get('assertion')!.split('.');
      expect(verify('RSA-SHA256', Buffer.from(`${h}.${c}`), createPublicKey(publicKey.export({ type: 'spki', format: 'pem' })), Buffer.from(s!, 'base64url'))).toBe(true);
      const claims = JSON.parse(Buffer.from(c!, 'base64url').toString()) as Record<string, unknown>;
      expect(claims).toMatchObject({ iss: 'cid', sub: 'user@x.com', aud: 'https://test.salesforce.com' });
      expect(claims.exp as number).toBeGreaterThan(Date.now() / 1000);
      expect(claims.exp as number).toBeLessThan(Date.now() / 1000 + 600);
      json(res, 200, { access_token: '00Dxx!jwt', instance_url: base });
    };
    await authenticator({ client_id: 'cid', username: 'user@x.com', private_key: pem, is_sandbox: true }).login();
    const config = parseConfig({ client_id: 'cid', username: 'u', private_key: pem, jwt_audience: 'https://community.example.com' });
    const claims = JSON.parse(Buffer.from(buildJwtAssertion(config.auth as JwtBearerAuth, 0).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ aud: 'https://community.example.com', exp: 180 });
  });
});

describe('SOAP login', () => {
  it('escapes the XML, caps the API version at 64.0 and takes the instance from serverUrl', async () => {
    handler = (req, body, res) => {
      expect(req.url).toBe('/services/Soap/u/64.0');
      expect(body).toContain('<n1:password>a&lt;b&amp;c&gt;&quot;&apos;TOK</n1:password>');
      res.writeHead(200, { 'content-type': 'text/xml' });
      res.end(`<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body><loginResponse><result><serverUrl>https://acme.my.salesforce.com/services/Soap/u/64.0/00D</serverUrl><sessionId>00Dxx!soap&amp;session</sessionId></result></loginResponse></soapenv:Body></soapenv:Envelope>`);
    };
    const session = await authenticator({ username: 'u', password: `a<b&c>"'`, security_token: 'TOK' }).login();
    expect(session).toMatchObject({ accessToken: '00Dxx!soap&session', instanceUrl: 'https://acme.my.salesforce.com' });
    expect(soapLoginVersion('58.0')).toBe('58.0');
    expect(escapeXml('<&>')).toBe('&lt;&amp;&gt;');
  });

  it.each([
    ['INVALID_LOGIN', /security token/],
    ['UNSUPPORTED_API_VERSION', /Enable SOAP API login/],
    ['API_DISABLED_FOR_ORG', /not enabled/],
  ])('maps the %s fault to an auth error with advice', async (fault, advice) => {
    handler = (_req, _b, res) => {
      res.writeHead(500, { 'content-type': 'text/xml' });
      res.end(`<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:sf="urn:fault.partner.soap.sforce.com"><soapenv:Body><soapenv:Fault><faultcode>sf:${fault}</faultcode><faultstring>${fault}: nope</faultstring></soapenv:Fault></soapenv:Body></soapenv:Envelope>`);
    };
    const error = await authenticator({ username: 'u', password: 'p' }).login().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: `SF_${fault}`, kind: 'auth' });
    expect((error as Error).message).toMatch(advice);
  });
});

describe('access token', () => {
  it('uses the token as is and cannot renew', async () => {
    const auth = authenticator({ access_token: '00Dxx!plain-token', instance_url: 'https://acme.my.salesforce.com' });
    expect(auth.renewable).toBe(false);
    expect(await auth.login()).toMatchObject({ accessToken: '00Dxx!plain-token', instanceUrl: 'https://acme.my.salesforce.com' });
    expect(requests).toHaveLength(0);
  });
});
