import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../../emulator/index.js';
import { api, httpRequest } from './http-client.js';

let em: Emulator;
beforeAll(async () => {
  em = await startEmulator({ records: 10 });
});
afterAll(async () => {
  await em.close();
});
beforeEach(() => {
  em.settings.soapLoginEnabled = true;
  em.settings.apiEnabled = true;
});

function envelope(username: string, password: string): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  return `<?xml version="1.0" encoding="utf-8"?><env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body><n1:login xmlns:n1="urn:partner.soap.sforce.com"><n1:username>${esc(username)}</n1:username><n1:password>${esc(password)}</n1:password></n1:login></env:Body></env:Envelope>`;
}

const soapLogin = (version: string, username = em.credentials.username, password = em.credentials.password + em.credentials.securityToken) =>
  httpRequest(`${em.loginUrl}/services/Soap/u/${version}`, {
    method: 'POST',
    headers: { 'Content-Type': 'text/xml; charset=UTF-8', SOAPAction: 'login' },
    body: envelope(username, password),
  });

const tag = (xml: string, name: string) => new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml)?.[1];

describe('SOAP login()', () => {
  it('returns a LoginResult whose session id works as a Bearer token on REST', async () => {
    const res = await soapLogin('64.0');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/xml;charset=UTF-8');
    expect(res.text).toContain('<loginResponse><result><metadataServerUrl>');
    const serverUrl = tag(res.text, 'serverUrl')!;
    expect(serverUrl).toBe(`${em.instanceUrl}/services/Soap/u/64.0/${em.org.orgId.slice(0, 15)}`);
    expect(tag(res.text, 'sandbox')).toBe('false');
    expect(tag(res.text, 'userId')).toBe(em.org.userId);
    expect(tag(res.text, 'sessionSecondsValid')).toBe('7200');
    const session = tag(res.text, 'sessionId')!;
    expect(session.startsWith(`${em.org.orgId.slice(0, 15)}!`)).toBe(true);
    expect((await api(em, session, '/services/data/v64.0/sobjects')).status).toBe(200);
  });

  it('answers INVALID_LOGIN as a 500 fault for bad credentials', async () => {
    const res = await soapLogin('64.0', em.credentials.username, 'wrong');
    expect(res.status).toBe(500);
    expect(tag(res.text, 'faultcode')).toBe('sf:INVALID_LOGIN');
    expect(tag(res.text, 'faultstring')).toBe('INVALID_LOGIN: Invalid username, password, security token; or user locked out.');
    expect(tag(res.text, 'sf:exceptionCode')).toBe('INVALID_LOGIN');
  });

  it('unescapes XML entities in credentials', async () => {
    const weird = await startEmulator({ records: 5, credentials: { password: 'a&b<c' } });
    try {
      const res = await httpRequest(`${weird.loginUrl}/services/Soap/u/62.0`, {
        method: 'POST',
        headers: { 'Content-Type': 'text/xml' },
        body: envelope(weird.credentials.username, weird.credentials.password + weird.credentials.securityToken),
      });
      expect(res.status).toBe(200);
    } finally {
      await weird.close();
    }
  });

  it.each(['65.0', '66.0', '30.0'])('answers UNSUPPORTED_API_VERSION for v%s', async (version) => {
    const res = await soapLogin(version);
    expect(res.status).toBe(500);
    expect(tag(res.text, 'faultcode')).toBe('sf:UNSUPPORTED_API_VERSION');
  });

  it('refuses login when the org has SOAP login() switched off', async () => {
    em.settings.soapLoginEnabled = false;
    const res = await soapLogin('64.0');
    expect(res.status).toBe(500);
    expect(tag(res.text, 'faultcode')).toBe('sf:INVALID_OPERATION');
  });

  it('answers API_DISABLED_FOR_ORG when the API is off', async () => {
    em.settings.apiEnabled = false;
    const res = await soapLogin('64.0');
    expect(tag(res.text, 'faultcode')).toBe('sf:API_DISABLED_FOR_ORG');
  });

  it('marks sandbox logins', async () => {
    const res = await httpRequest(`${em.sandboxLoginUrl}/services/Soap/u/62.0`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/xml' },
      body: envelope(em.credentials.username, em.credentials.password + em.credentials.securityToken),
    });
    expect(tag(res.text, 'sandbox')).toBe('true');
  });
});
