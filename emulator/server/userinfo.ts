/**
 * `GET /services/oauth2/userinfo` with a bearer token: who the session belongs to, with the
 * 18-character `organization_id` a Pub/Sub API client sends as its `tenantid`.
 */
import { toId18 } from './ids.js';
import { jsonReply, type Reply } from './reply.js';
import { bearerToken, type RequestContext } from './state.js';

export function handleUserInfo(ctx: RequestContext): Reply {
  const token = bearerToken(ctx);
  const session = token ? ctx.state.sessions.use(token) : undefined;
  if (!session) return jsonReply(403, 'Bad_OAuth_Token');
  const { org, urls, credentials } = ctx.state;
  const organizationId = toId18(org.orgId);
  return jsonReply(200, {
    sub: `${urls.loginUrl}/id/${organizationId}/${session.userId}`,
    user_id: session.userId,
    organization_id: organizationId,
    preferred_username: credentials.username,
    urls: { custom_domain: urls.instanceUrl },
  });
}
