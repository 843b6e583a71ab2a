import { createHash, createHmac, timingSafeEqual, verify } from 'node:crypto';
import { toId18 } from './ids.js';
import { emptyReply, jsonReply, oauthError, type Reply } from './reply.js';
import type { Session } from './sessions.js';
import { toVerificationKey } from './credentials.js';
import { header, type RequestContext } from './state.js';

const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Clock skew Salesforce tolerates on a JWT's `exp`. */
const JWT_SKEW_SECONDS = 180;

const AUTH_FAILURE = (): Reply => oauthError('invalid_grant', 'authentication failure');
const UNKNOWN_CLIENT = (): Reply => oauthError('invalid_client_id', 'client identifier invalid');
const BAD_SECRET = (): Reply => oauthError('invalid_client', 'invalid client credentials');
const NOT_ADMIN_APPROVED = (): Reply => oauthError('invalid_app_access', 'user is not admin approved to access this app');

/** Token parameters come from the form body and the query string; Basic auth carries the client. */
function readParams(ctx: RequestContext): Map<string, string> {
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

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Consumer key, then secret: the order Salesforce reports them in. */
function checkClient(ctx: RequestContext, params: Map<string, string>, requireSecret: boolean): Reply | undefined {
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

interface TokenExtras {
  refreshToken?: string | undefined;
  signature: boolean;
  scope: boolean;
}

function tokenReply(ctx: RequestContext, params: Map<string, string>, session: Session, extras: TokenExtras): Reply {
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

/** POST /services/oauth2/token on any host. */
export function handleToken(ctx: RequestContext): Reply {
  const params = readParams(ctx);
  const grantType = params.get('grant_type') ?? '';
  ctx.grantType = grantType;
  switch (grantType) {
    case 'password':
      return passwordGrant(ctx, params);
    case 'refresh_token':
      return refreshGrant(ctx, params);
    case 'client_credentials':
      return clientCredentialsGrant(ctx, params);
    case JWT_GRANT:
      return jwtGrant(ctx, params);
    case 'authorization_code':
      return authorizationCodeGrant(ctx, params);
    default:
      return oauthError('unsupported_grant_type', 'grant type not supported');
  }
}

function passwordGrant(ctx: RequestContext, params: Map<string, string>): Reply {
  const { credentials, settings, sessions, org } = ctx.state;
  const clientError = checkClient(ctx, params, true);
  if (clientError) return clientError;
  const username = params.get('username') ?? '';
  const password = params.get('password') ?? '';
  const withToken = credentials.password + credentials.securityToken;
  const passwordOk =
    safeEqual(password, withToken) || (!settings.securityTokenRequired && safeEqual(password, credentials.password));
  // A blocked flow looks exactly like bad credentials; only Login History tells them apart.
  if (!settings.passwordFlowEnabled || username.toLowerCase() !== credentials.username.toLowerCase() || !passwordOk) {
    return AUTH_FAILURE();
  }
  if (settings.connectedAppState === 'not-approved') return NOT_ADMIN_APPROVED();
  return tokenReply(ctx, params, sessions.issue(org.userId, 'password'), { signature: true, scope: false });
}

function refreshGrant(ctx: RequestContext, params: Map<string, string>): Reply {
  const { settings, sessions, org } = ctx.state;
  const clientError = checkClient(ctx, params, false);
  if (clientError) return clientError;
  const refreshToken = params.get('refresh_token') ?? '';
  if (!sessions.isRefreshTokenValid(refreshToken)) return oauthError('invalid_grant', 'expired access/refresh token');
  if (settings.connectedAppState === 'not-approved') return NOT_ADMIN_APPROVED();
  let rotated: string | undefined;
  if (settings.rotateRefreshTokens) {
    sessions.revokeRefreshToken(refreshToken);
    rotated = sessions.newRefreshToken();
  }
  return tokenReply(ctx, params, sessions.issue(org.userId, 'refresh_token'), {
    refreshToken: rotated,
    signature: true,
    scope: true,
  });
}

function clientCredentialsGrant(ctx: RequestContext, params: Map<string, string>): Reply {
  const { settings, sessions, org } = ctx.state;
  const clientError = checkClient(ctx, params, true);
  if (clientError) return clientError;
  // Only My Domain serves this grant; the wording for other hosts is [unverified].
  if (ctx.host !== 'instance') return oauthError('invalid_grant', 'request not supported on this domain');
  if (!settings.clientCredentialsEnabled) return oauthError('invalid_grant', 'no client credentials user enabled');
  return tokenReply(ctx, params, sessions.issue(org.userId, 'client_credentials'), { signature: true, scope: true });
}

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The `aud` values each host accepts: Salesforce's public login host for its kind, or the host itself. */
function acceptedAudiences(ctx: RequestContext): string[] {
  const { urls } = ctx.state;
  if (ctx.host === 'sandbox') return ['https://test.salesforce.com', urls.sandboxLoginUrl];
  if (ctx.host === 'login') return ['https://login.salesforce.com', urls.loginUrl];
  return ['https://login.salesforce.com', 'https://test.salesforce.com', urls.instanceUrl];
}

function jwtGrant(ctx: RequestContext, params: Map<string, string>): Reply {
  const { credentials, settings, sessions, org } = ctx.state;
  const invalidAssertion = () => oauthError('invalid_grant', 'invalid assertion');
  const parts = (params.get('assertion') ?? '').split('.');
  if (parts.length !== 3) return invalidAssertion();
  const [head, payload, signature] = parts as [string, string, string];
  const headerJson = decodeSegment(head);
  const claims = decodeSegment(payload);
  if (!headerJson || !claims || headerJson['alg'] !== 'RS256') return invalidAssertion();
  const signatureOk = verify(
    'RSA-SHA256',
    Buffer.from(`${head}.${payload}`),
    toVerificationKey(credentials.certificatePem),
    Buffer.from(signature, 'base64url'),
  );
  if (typeof claims['iss'] !== 'string' || settings.connectedAppState === 'not-yet-active' || claims['iss'] !== credentials.clientId) {
    return UNKNOWN_CLIENT();
  }
  if (!signatureOk) return invalidAssertion();
  const aud = claims['aud'];
  const audiences = Array.isArray(aud) ? aud : [aud];
  if (!audiences.some((a) => typeof a === 'string' && acceptedAudiences(ctx).includes(a.replace(/\/$/, '')))) {
    return oauthError('invalid_grant', 'audience is invalid');
  }
  const exp = claims['exp'];
  if (typeof exp !== 'number' || exp + JWT_SKEW_SECONDS < Date.now() / 1000) {
    return oauthError('invalid_grant', 'expired authorization code');
  }
  const sub = claims['sub'];
  if (typeof sub !== 'string' || sub.toLowerCase() !== credentials.username.toLowerCase() || !settings.jwtPreAuthorized) {
    return oauthError('invalid_grant', "user hasn't approved this consumer");
  }
  if (settings.connectedAppState === 'not-approved') return NOT_ADMIN_APPROVED();
  return tokenReply(ctx, params, sessions.issue(org.userId, 'jwt'), { signature: false, scope: true });
}

function authorizationCodeGrant(ctx: RequestContext, params: Map<string, string>): Reply {
  const { settings, sessions, org } = ctx.state;
  const clientError = checkClient(ctx, params, settings.requireSecretForWebServerFlow && !params.has('code_verifier'));
  if (clientError) return clientError;
  const taken = sessions.takeCode(params.get('code') ?? '');
  if (!taken || taken.code.clientId !== params.get('client_id')) return oauthError('invalid_grant', 'invalid authorization code');
  if (taken.expired) return oauthError('invalid_grant', 'expired authorization code');
  if (params.get('redirect_uri') !== taken.code.redirectUri) return oauthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
  const { codeChallenge, codeChallengeMethod } = taken.code;
  if (codeChallenge !== undefined) {
    const verifier = params.get('code_verifier') ?? '';
    const derived = codeChallengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
    if (!verifier || derived !== codeChallenge) return oauthError('invalid_grant', 'invalid code verifier');
  }
  return tokenReply(ctx, params, sessions.issue(org.userId, 'authorization_code'), {
    refreshToken: sessions.newRefreshToken(),
    signature: true,
    scope: true,
  });
}

/**
 * GET /services/oauth2/authorize: the web server flow. The emulator's user is always logged in and
 * approves at once, so the answer is the redirect to the callback with a code (or an error).
 */
export function handleAuthorize(ctx: RequestContext): Reply {
  const { credentials, settings, sessions } = ctx.state;
  const q = ctx.query;
  const clientId = q.get('client_id') ?? '';
  const redirectUri = q.get('redirect_uri') ?? '';
  if (!clientId || clientId !== credentials.clientId || settings.connectedAppState === 'not-yet-active') {
    return oauthError('invalid_client_id', 'client identifier invalid');
  }
  if (redirectUri !== credentials.redirectUri) return oauthError('redirect_uri_mismatch', 'redirect_uri must match configuration');
  const redirect = (values: Record<string, string>): Reply => {
    const state = q.get('state');
    const target = new URL(redirectUri);
    for (const [k, v] of Object.entries(values)) target.searchParams.set(k, v);
    if (state !== null) target.searchParams.set('state', state);
    return emptyReply(302, { Location: target.toString() });
  };
  if (q.get('response_type') !== 'code') {
    return redirect({ error: 'unsupported_response_type', error_description: 'response type not supported' });
  }
  if (settings.connectedAppState === 'not-approved') {
    return redirect({
      error: 'OAUTH_APPROVAL_ERROR_GENERIC',
      error_description: 'An unexpected error has occured during authentication. Please try again.',
    });
  }
  const challenge = q.get('code_challenge') ?? undefined;
  const method = q.get('code_challenge_method') ?? (challenge ? 'plain' : undefined);
  if (method !== undefined && method !== 'S256' && method !== 'plain') {
    return redirect({ error: 'invalid_request', error_description: 'invalid code_challenge_method' });
  }
  const code = sessions.issueCode({
    clientId,
    redirectUri,
    codeChallenge: challenge,
    codeChallengeMethod: method as 'S256' | 'plain' | undefined,
  });
  return redirect({ code });
}
