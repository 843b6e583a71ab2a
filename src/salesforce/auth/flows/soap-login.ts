/**
 * SOAP partner `login()` with username and password (+ security token). It is gone from API
 * 65.0 on, so it is sent at the configured version capped at the last one that has it, and
 * disabled by default in orgs created in Winter '26 or later: the login error says so.
 */
import { TapError } from '../../../core/errors.js';
import { DEFAULTS } from '../../../core/defaults.js';
import { secrets } from '../../../core/secrets.js';
import { toResponseError } from '../../http/error-table.js';
import { readBodyText } from '../../http/types.js';
import { soapLoginError } from '../auth-errors.js';
import type { AuthFlow, LoginHost } from '../types.js';

export interface SoapAuth extends LoginHost {
  type: 'soap';
  username: string;
  password: string;
  /** Appended to the password. */
  securityToken?: string;
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|amp|#(\d+)|#x([0-9a-f]+));/gi, (_, name: string, dec?: string, hex?: string) => {
    if (dec) return String.fromCodePoint(Number(dec));
    if (hex) return String.fromCodePoint(parseInt(hex, 16));
    return ({ lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' } as Record<string, string>)[name.toLowerCase()]!;
  });
}

function xmlElement(xml: string, name: string): string | undefined {
  const match = new RegExp(`<(?:[\\w-]+:)?${name}(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w-]+:)?${name}>`).exec(xml);
  return match ? unescapeXml(match[1]!.trim()) : undefined;
}

/** The lower of the configured API version and the last one SOAP login() exists in. */
export function soapLoginVersion(apiVersion: string): string {
  return Number(apiVersion) > Number(DEFAULTS.soapLoginMaxApiVersion) ? DEFAULTS.soapLoginMaxApiVersion : apiVersion;
}

export const soapLoginFlow: AuthFlow<SoapAuth> = {
  type: 'soap',
  aliases: [],
  requires: ['username', 'password'],
  title: 'the SOAP login',
  inferFrom: (has) => has('username') && has('password'),
  renewable: true,
  build: (settings, host) => {
    const auth: SoapAuth = { ...host, type: 'soap', username: settings.required('username'), password: settings.required('password') };
    const token = settings.optional('security_token');
    if (token !== undefined) auth.securityToken = token;
    return auth;
  },
  connect: (auth, options) => async (signal) => {
    const envelope =
      '<?xml version="1.0" encoding="utf-8"?>' +
      '<env:Envelope xmlns:env="http://schemas.xmlsoap.org/soap/envelope/"><env:Body>' +
      '<n1:login xmlns:n1="urn:partner.soap.sforce.com">' +
      `<n1:username>${escapeXml(auth.username)}</n1:username>` +
      `<n1:password>${escapeXml(`${auth.password}${auth.securityToken ?? ''}`)}</n1:password>` +
      '</n1:login></env:Body></env:Envelope>';
    const response = await options.send({
      method: 'POST',
      url: `${auth.loginUrl}/services/Soap/u/${soapLoginVersion(options.apiVersion)}`,
      headers: { 'content-type': 'text/xml; charset=UTF-8', soapaction: 'login' },
      body: envelope,
      signal,
      idempotent: true,
    });
    const xml = await readBodyText(response);
    const sessionId = xmlElement(xml, 'sessionId');
    secrets.register(sessionId);
    const faultCode = xmlElement(xml, 'faultcode');
    if (faultCode !== undefined) throw soapLoginError(faultCode, xmlElement(xml, 'faultstring') ?? '', response.status);
    const serverUrl = xmlElement(xml, 'serverUrl');
    if (response.status !== 200 || sessionId === undefined || serverUrl === undefined) {
      if (response.status === 404 || response.status === 410) throw soapLoginError('UNSUPPORTED_API_VERSION', `HTTP ${response.status}`, response.status);
      const error = toResponseError(response.status, response.headers['content-type'], xml, 'SOAP login');
      throw error.kind === 'salesforce' ? new TapError(error.code, error.message, { kind: 'auth', detail: error.detail }) : error;
    }
    return { accessToken: sessionId, instanceUrl: auth.instanceUrl ?? new URL(serverUrl).origin, obtainedAt: (options.now ?? Date.now)() };
  },
};
