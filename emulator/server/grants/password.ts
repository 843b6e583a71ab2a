/**
 * grant_type=password: username and password (+ security token) for a connected app. A flow
 * the org blocked answers exactly like bad credentials, as Salesforce does.
 */
import { AUTH_FAILURE, NOT_ADMIN_APPROVED, checkClient, safeEqual, tokenReply } from '../oauth-common.js';
import type { Reply } from '../reply.js';
import type { RequestContext } from '../state.js';

export function passwordGrant(ctx: RequestContext, params: Map<string, string>): Reply {
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
