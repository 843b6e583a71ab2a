/**
 * The OAuth endpoints: POST /services/oauth2/token dispatches on `grant_type` to one module per
 * grant (grants/*.ts); GET /services/oauth2/authorize is the web server flow's first leg. A new
 * grant is one file in grants/ plus its line in GRANTS.
 */
import { authorizationCodeGrant } from './grants/authorization-code.js';
import { clientCredentialsGrant } from './grants/client-credentials.js';
import { JWT_GRANT, jwtGrant } from './grants/jwt-bearer.js';
import { passwordGrant } from './grants/password.js';
import { refreshGrant } from './grants/refresh-token.js';
import { readParams, type GrantHandler } from './oauth-common.js';
import { emptyReply, oauthError, type Reply } from './reply.js';
import type { RequestContext } from './state.js';

export { escapeXml } from './oauth-common.js';

const GRANTS: Readonly<Record<string, GrantHandler>> = {
  password: passwordGrant,
  refresh_token: refreshGrant,
  client_credentials: clientCredentialsGrant,
  [JWT_GRANT]: jwtGrant,
  authorization_code: authorizationCodeGrant,
};

/** POST /services/oauth2/token on any host. */
export function handleToken(ctx: RequestContext): Reply {
  const params = readParams(ctx);
  const grantType = params.get('grant_type') ?? '';
  ctx.grantType = grantType;
  const grant = Object.hasOwn(GRANTS, grantType) ? GRANTS[grantType] : undefined;
  return grant ? grant(ctx, params) : oauthError('unsupported_grant_type', 'grant type not supported');
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
