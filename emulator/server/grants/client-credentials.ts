/**
 * grant_type=client_credentials: served on the org's My Domain (instance) host only, for an app
 * with a "Run As" user.
 */
import { checkClient, tokenReply } from '../oauth-common.js';
import { oauthError, type Reply } from '../reply.js';
import type { RequestContext } from '../state.js';

export function clientCredentialsGrant(ctx: RequestContext, params: Map<string, string>): Reply {
  const { settings, sessions, org } = ctx.state;
  const clientError = checkClient(ctx, params, true);
  if (clientError) return clientError;
  // Only My Domain serves this grant; the wording for other hosts is [unverified].
  if (ctx.host !== 'instance') return oauthError('invalid_grant', 'request not supported on this domain');
  if (!settings.clientCredentialsEnabled) return oauthError('invalid_grant', 'no client credentials user enabled');
  return tokenReply(ctx, params, sessions.issue(org.userId, 'client_credentials'), { signature: true, scope: true });
}
