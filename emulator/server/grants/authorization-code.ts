/**
 * grant_type=authorization_code: the web server flow's second leg, with PKCE (S256 or plain);
 * a code works once and for 15 minutes.
 */
import { createHash } from 'node:crypto';
import { checkClient, tokenReply } from '../oauth-common.js';
import { oauthError, type Reply } from '../reply.js';
import type { RequestContext } from '../state.js';

export function authorizationCodeGrant(ctx: RequestContext, params: Map<string, string>): Reply {
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
