/**
 * grant_type=refresh_token, with refresh token rotation when the org's settings turn it on
 * (the old token is revoked and a new one comes back in the reply).
 */
import { NOT_ADMIN_APPROVED, checkClient, tokenReply } from '../oauth-common.js';
import { oauthError, type Reply } from '../reply.js';
import type { RequestContext } from '../state.js';

export function refreshGrant(ctx: RequestContext, params: Map<string, string>): Reply {
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
