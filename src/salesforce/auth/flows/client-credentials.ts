/**
 * OAuth client credentials flow: the connected app logs in as its "Run As" user. Salesforce
 * serves it only on the org's My Domain host, so `login_url` is required.
 */
import { requestOAuthToken, toSession } from '../oauth-token.js';
import type { FlowAdvice } from '../auth-errors.js';
import type { AuthFlow, LoginHost } from '../types.js';

const ADVICE: FlowAdvice = {
  invalid_grant: 'Check that the client credentials flow is enabled on the app and that a "Run As" user is set.',
  unsupported_grant_type: 'The client credentials flow is not enabled for this app, or was sent to login.salesforce.com instead of the org\'s My Domain (`login_url`).',
  invalid_request: 'The request is not supported on this host: client credentials must go to the org\'s My Domain (`login_url`).',
};

export interface ClientCredentialsAuth extends LoginHost {
  type: 'client_credentials';
  clientId: string;
  clientSecret: string;
}

export const clientCredentialsFlow: AuthFlow<ClientCredentialsAuth> = {
  type: 'client_credentials',
  aliases: [],
  requires: ['client_id', 'client_secret', 'login_url'],
  title: "the client credentials flow (it must call the org's My Domain host, e.g. https://acme.my.salesforce.com)",
  inferFrom: (has) => has('client_id') && has('client_secret'),
  renewable: true,
  build: (settings, host) => ({ ...host, type: 'client_credentials', clientId: settings.required('client_id'), clientSecret: settings.required('client_secret') }),
  connect: (auth, options) => async (signal) => {
    const body = await requestOAuthToken({
      send: options.send,
      loginUrl: auth.loginUrl,
      advice: ADVICE,
      signal,
      params: { grant_type: 'client_credentials', client_id: auth.clientId, client_secret: auth.clientSecret },
    });
    return toSession(body, auth.instanceUrl, (options.now ?? Date.now)());
  },
};
