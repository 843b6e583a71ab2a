/**
 * A plain access token (or SOAP session id) with its instance URL, used as is. It cannot be
 * renewed: a run that outlives the session fails with an auth error.
 */
import { secrets } from '../../../core/secrets.js';
import type { AuthFlow, LoginHost } from '../types.js';

export interface AccessTokenAuth extends LoginHost {
  type: 'access_token';
  accessToken: string;
  instanceUrl: string;
}

export const accessTokenFlow: AuthFlow<AccessTokenAuth> = {
  type: 'access_token',
  aliases: ['session'],
  requires: ['access_token', 'instance_url'],
  title: 'a plain access token',
  // A token next to renewable credentials is a leftover: the renewable flow wins.
  inferFrom: (has) => has('access_token') && !has('refresh_token') && !has('password') && !has('private_key'),
  renewable: false,
  build: (settings, host) => ({ ...host, type: 'access_token', accessToken: settings.required('access_token'), instanceUrl: host.instanceUrl ?? settings.required('instance_url') }),
  connect: (auth, options) => () => {
    secrets.register(auth.accessToken);
    return Promise.resolve({ accessToken: auth.accessToken, instanceUrl: auth.instanceUrl, obtainedAt: (options.now ?? Date.now)() });
  },
};
