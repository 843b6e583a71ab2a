/**
 * What every OAuth grant of the emulator shares: reading the token request's parameters (form
 * body, query string, Basic auth), checking the connected app's client, Salesforce's error
 * replies, and the token reply in the format asked for.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { toId18 } from './ids.js';
import { jsonReply, oauthError, type Reply } from './reply.js';
import type { Session } from './sessions.js';
import { header, type RequestContext } from './state.js';

/** A grant's handler: the request's parameters in, Salesforce's reply out. */
export type GrantHandler = (ctx: RequestContext, params: Map<string, string>) => Reply;

export const AUTH_FAILURE = (): Reply => oauthError('invalid_grant', 'authentication failure');
export const UNKNOWN_CLIENT = (): Reply => oauthError('invalid_client_id', 'client identifier invalid');
export const BAD_SECRET = (): Reply => oauthError('invalid_client', 'invalid client credentials');
export const NOT_ADMIN_APPROVED = (): Reply => oauthError('invalid_app_access', 'user is not admin approved to access this app');

/** Token parameters come from the form body and the query string; Basic auth carries the client. */
export function readParams(ctx: RequestContext): Map<string, string> {
  const params = new Map<string, string>(ctx.query);
  if (ctx.body.length > 0) for (const [k, v] of new URLSearchParams(ctx.body.toString('utf8'))) params.set(k, v);
  const auth = header(ctx, 'authorization');
  if (auth?.startsWith('Basic ')) {
    const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      params.set('client_id', decodeURIComponent(decoded.slice(0, colon)));
      params.set('client_secret', decodeURIComponent(decoded.slice(colon + 1)));
    }
  }
  return params;
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Consumer key, then secret: the order Salesforce reports them in. */
export function checkClient(ctx: RequestContext, params: Map<string, string>, requireSecret: boolean): Reply | undefined {
  const { credentials, settings } = ctx.state;
  const clientId = params.get('client_id');
  if (!clientId || settings.connectedAppState === 'not-yet-active' || !safeEqual(clientId, credentials.clientId)) {
    return UNKNOWN_CLIENT();
  }
  const secret = params.get('client_secret');
  if (secret === undefined ? requireSecret : !safeEqual(secret, credentials.clientSecret)) return BAD_SECRET();
  return undefined;
}

function loginBaseUrl(ctx: RequestContext): string {
  return ctx.host === 'sandbox' ? ctx.state.urls.sandboxLoginUrl : ctx.state.urls.loginUrl;
}

export interface TokenExtras {
  refreshToken?: string | undefined;
  signature: boolean;
  scope: boolean;
}

export function tokenReply(ctx: RequestContext, params: Map<string, string>, session: Session, extras: TokenExtras): Reply {
  const { org, urls, credentials, settings } = ctx.state;
  const id = `${loginBaseUrl(ctx)}/id/${toId18(org.orgId)}/${session.userId}`;
  const issuedAt = String(session.issuedAt);
  const body: Record<string, string> = { access_token: session.token };
  if (extras.refreshToken) body['refresh_token'] = extras.refreshToken;
  if (extras.signature) {
    body['signature'] = createHmac('sha256', credentials.clientSecret).update(id + issuedAt).digest('base64');
  }
  if (extras.scope) body['scope'] = settings.scope;
  body['instance_url'] = urls.instanceUrl;
  body['id'] = id;
  body['token_type'] = 'Bearer';
  body['issued_at'] = issuedAt;
  return formatTokenBody(ctx, params, body);
}

/** `format=json|xml|urlencoded` or the matching Accept header; JSON by default. */
function formatTokenBody(ctx: RequestContext, params: Map<string, string>, body: Record<string, string>): Reply {
  const accept = header(ctx, 'accept') ?? '';
  const format =
    params.get('format') ??
    (accept.includes('application/xml') ? 'xml' : accept.includes('application/x-www-form-urlencoded') ? 'urlencoded' : 'json');
  const noStore = { 'Cache-Control': 'no-cache,must-revalidate,max-age=0,no-store,private' };
  if (format === 'urlencoded') {
    return {
      status: 200,
      headers: { 'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8', ...noStore },
      body: new URLSearchParams(body).toString(),
    };
  }
  if (format === 'xml') {
    const items = Object.entries(body)
      .map(([k, v]) => `<${k}>${escapeXml(v)}</${k}>`)
      .join('');
    return {
      status: 200,
      headers: { 'Content-Type': 'application/xml;charset=UTF-8', ...noStore },
      body: `<?xml version="1.0" encoding="UTF-8"?><OAuth>${items}</OAuth>`,
    };
  }
  return jsonReply(200, body, noStore);
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": 'apos' }[c]};`);
}

