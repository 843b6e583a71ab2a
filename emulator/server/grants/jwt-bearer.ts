/**
 * grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer: an RS256 assertion verified against
 * the certificate on the connected app, with Salesforce's audience, expiry and pre-authorization
 * checks in its order.
 */
import { verify } from 'node:crypto';
import { toVerificationKey } from '../credentials.js';
import { NOT_ADMIN_APPROVED, UNKNOWN_CLIENT, tokenReply } from '../oauth-common.js';
import { oauthError, type Reply } from '../reply.js';
import type { RequestContext } from '../state.js';

export const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Clock skew Salesforce tolerates on a JWT's `exp`. */
const JWT_SKEW_SECONDS = 180;

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

export function jwtGrant(ctx: RequestContext, params: Map<string, string>): Reply {
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
