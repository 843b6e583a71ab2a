/**
 * OAuth username-password flow. Orgs created in Summer '23 or later block it unless "Allow OAuth
 * Username-Password Flows" is on; the login error says so.
 */
import { requestOAuthToken, toSession } from '../oauth-token.js';
import type { FlowAdvice } from '../auth-errors.js';
import type { AuthFlow, LoginHost } from '../types.js';

const ADVICE: FlowAdvice = {
  invalid_grant:
    'Check the username, the password and the security token (appended to the password; a password change resets it). Orgs created in Summer \'23 or later also block this flow unless "Allow OAuth Username-Password Flows" is on (Setup → OAuth and OpenID Connect Settings); prefer the refresh token or JWT flow.',
};

export interface PasswordAuth extends LoginHost {
  type: 'password';
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
  /** Appended to the password. */
  securityToken?: string;
}

export const passwordFlow: AuthFlow<PasswordAuth> = {
  type: 'password',
  aliases: ['username_password'],
  requires: ['client_id', 'client_secret', 'username', 'password'],
  title: 'the username-password OAuth flow',
  inferFrom: (has) => has('username') && has('password') && has('client_id'),
  renewable: true,
  build: (settings, host) => {
    const auth: PasswordAuth = {
      ...host,
      type: 'password',
      clientId: settings.required('client_id'),
      clientSecret: settings.required('client_secret'),
      username: settings.required('username'),
      password: settings.required('password'),
    };
    const token = settings.optional('security_token');
    if (token !== undefined) auth.securityToken = token;
    return auth;
  },
  connect: (auth, options) => async (signal) => {
    const body = await requestOAuthToken({
      send: options.send,
      loginUrl: auth.loginUrl,
      advice: ADVICE,
      signal,
      params: { grant_type: 'password', client_id: auth.clientId, client_secret: auth.clientSecret, username: auth.username, password: `${auth.password}${auth.securityToken ?? ''}` },
    });
    return toSession(body, auth.instanceUrl, (options.now ?? Date.now)());
  },
};
