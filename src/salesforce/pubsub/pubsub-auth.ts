/**
 * The Pub/Sub API's credentials from the tap's REST session: the access token and instance URL
 * of the current session, and the org id (`tenantid`) from `/services/oauth2/userinfo`, which
 * every auth flow can call, a bare access token included.
 */
import { TapError } from '../../core/errors.js';
import type { Session } from '../auth/types.js';
import type { SalesforceClient } from '../client.js';
import type { PubSubAuth, PubSubCredentials } from './pubsub-client.js';

export function buildPubSubAuth(client: SalesforceClient): PubSubAuth {
  const { session, renewSession } = client;
  if (!session || !renewSession) throw new TapError('TAP_PUBSUB_NO_SESSION', 'This Salesforce client cannot share its session with the Pub/Sub API.');
  let tenantId: Promise<string> | undefined;
  const sessions = new WeakMap<PubSubCredentials, Session>();
  const toCredentials = async (session: Session, signal?: AbortSignal): Promise<PubSubCredentials> => {
    tenantId ??= client.json<{ organization_id: string }>('/services/oauth2/userinfo', signal ? { signal } : {}).then((info) => info.organization_id);
    tenantId.catch(() => (tenantId = undefined));
    const creds = { accessToken: session.accessToken, instanceUrl: session.instanceUrl.replace(/\/+$/, ''), tenantId: await tenantId };
    sessions.set(creds, session);
    return creds;
  };
  return {
    current: async (signal) => toCredentials(await session.call(client, signal), signal),
    renew: async (stale, signal) => {
      const refused = sessions.get(stale) ?? (await session.call(client, signal));
      return toCredentials(await renewSession.call(client, refused, signal), signal);
    },
  };
}
