/**
 * Who the session is: the identity URL that token replies name in `id` (`/id/{orgId}/{userId}`)
 * and the OpenID Connect UserInfo endpoint (`/services/oauth2/userinfo`), served on every host,
 * both read from the org's own User and Organization rows. Clients call them after each login.
 */
import type { FieldValue } from '../org/types.js';
import { toId18 } from './ids.js';
import { jsonReply, type Reply } from './reply.js';
import type { Session } from './sessions.js';
import { bearerToken, type RequestContext } from './state.js';

/** What real orgs answer a missing or dead token here: 403 and a bare word, not the REST envelope. */
const badToken = (): Reply => ({ status: 403, headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, body: 'Bad_OAuth_Token' });

/** The token from the Authorization header, or from `oauth_token` / `access_token` as the identity URL also takes it. */
function sessionOf(ctx: RequestContext): Session | undefined {
  const token = bearerToken(ctx) ?? ctx.query.get('oauth_token') ?? ctx.query.get('access_token') ?? undefined;
  return token ? ctx.state.sessions.use(token) : undefined;
}

interface Person {
  userId: string;
  orgId: string;
  user: Record<string, FieldValue>;
  identityUrl: string;
  urls: Record<string, string>;
}

function personOf(ctx: RequestContext, session: Session): Person {
  const { org, urls } = ctx.state;
  const user = org.getRecord('User', session.userId) ?? {};
  const orgId = toId18(org.orgId);
  const loginUrl = ctx.host === 'sandbox' ? urls.sandboxLoginUrl : urls.loginUrl;
  const instance = urls.instanceUrl;
  const version = ctx.query.get('version');
  const v = version === 'latest' ? `${ctx.state.settings.maxApiVersion}.0` : version ?? '{version}';
  return {
    userId: session.userId,
    orgId,
    user,
    identityUrl: `${loginUrl}/id/${orgId}/${session.userId}`,
    // Only resources the emulator serves (the REST root, sobjects, query and the SOAP login endpoints).
    urls: {
      enterprise: `${instance}/services/Soap/c/${v}/${org.orgId}`,
      partner: `${instance}/services/Soap/u/${v}/${org.orgId}`,
      rest: `${instance}/services/data/v${v}/`,
      sobjects: `${instance}/services/data/v${v}/sobjects/`,
      query: `${instance}/services/data/v${v}/query/`,
      profile: `${instance}/${session.userId}`,
      custom_domain: instance,
    },
  };
}

const text = (v: FieldValue | undefined): string | null => (typeof v === 'string' ? v : null);
const updatedAt = (p: Person) => (text(p.user['LastModifiedDate']) ?? new Date(0).toISOString()).replace('Z', '+0000');
const photos = (ctx: RequestContext) => ({
  picture: `${ctx.state.urls.instanceUrl}/profilephoto/005/F`,
  thumbnail: `${ctx.state.urls.instanceUrl}/profilephoto/005/T`,
});

/** GET /id/{orgId}/{userId}: the identity document (Identity URLs, Salesforce Help). */
export function handleIdentity(ctx: RequestContext): Reply {
  const session = sessionOf(ctx);
  if (!session) return badToken();
  const p = personOf(ctx, session);
  const asked = [ctx.params['orgId'] ?? '', ctx.params['userId'] ?? ''];
  if (toId18(asked[0]!) !== p.orgId || toId18(asked[1]!) !== toId18(p.userId)) {
    return { status: 404, headers: { 'Content-Type': 'text/plain;charset=UTF-8' }, body: 'Bad_Id' };
  }
  const u = p.user;
  return jsonReply(200, {
    id: p.identityUrl,
    asserted_user: true,
    user_id: p.userId,
    organization_id: p.orgId,
    username: text(u['Username']),
    nick_name: text(u['CommunityNickname']),
    display_name: text(u['Name']),
    email: text(u['Email']),
    email_verified: true,
    first_name: text(u['FirstName']),
    last_name: text(u['LastName']),
    timezone: text(u['TimeZoneSidKey']),
    photos: photos(ctx),
    addr_street: null,
    addr_city: null,
    addr_state: null,
    addr_country: 'US',
    addr_zip: null,
    mobile_phone: null,
    mobile_phone_verified: false,
    is_lightning_login_user: false,
    status: { created_date: null, body: null },
    urls: p.urls,
    active: u['IsActive'] !== false,
    user_type: 'STANDARD',
    language: text(u['LanguageLocaleKey']),
    locale: text(u['LocaleSidKey']),
    utcOffset: -28_800_000,
    last_modified_date: updatedAt(p),
    is_app_installed: true,
  });
}

/** GET or POST /services/oauth2/userinfo: the OpenID Connect claims of the session's user. */
export function handleUserInfo(ctx: RequestContext): Reply {
  const session = sessionOf(ctx);
  if (!session) return badToken();
  const p = personOf(ctx, session);
  const u = p.user;
  return jsonReply(200, {
    sub: p.identityUrl,
    user_id: p.userId,
    organization_id: p.orgId,
    preferred_username: text(u['Username']),
    nickname: text(u['CommunityNickname']),
    name: text(u['Name']),
    email: text(u['Email']),
    email_verified: true,
    given_name: text(u['FirstName']),
    family_name: text(u['LastName']),
    zoneinfo: text(u['TimeZoneSidKey']),
    photos: photos(ctx),
    profile: p.urls['profile'],
    picture: photos(ctx).picture,
    address: { country: 'US' },
    is_salesforce_integration_user: false,
    urls: p.urls,
    active: u['IsActive'] !== false,
    user_type: 'STANDARD',
    language: text(u['LanguageLocaleKey']),
    locale: text(u['LocaleSidKey']),
    utcOffset: -28_800_000,
    updated_at: updatedAt(p).replace(/\.\d{3}\+0000$/, 'Z'),
    is_app_installed: true,
  });
}
