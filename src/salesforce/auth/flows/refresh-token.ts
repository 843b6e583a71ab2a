/**
 * OAuth refresh token flow, the usual one for a connected app a person authorized once (see
 * `tap-salesforce auth login`). Under refresh token rotation each reply carries a new refresh
 * token that replaces the old one: kept in memory for the next login and handed to
 * `onRefreshTokenRotated` so the config is updated.
 */
import { requestOAuthToken, toSession } from '../oauth-token.js';
import type { AuthFlow, LoginHost } from '../types.js';

export interface RefreshTokenAuth extends LoginHost {
  type: 'oauth_refresh_token';
  clientId: string;
  /** Optional: a connected app may not require the secret on refresh. */
  clientSecret?: string;
  refreshToken: string;
}

export const refreshTokenFlow: AuthFlow<RefreshTokenAuth> = {
  type: 'oauth_refresh_token',
  // Airbyte's source-salesforce writes `Client` / `ClientManual`.
  aliases: ['oauth', 'oauth2', 'refresh_token', 'client', 'clientmanual'],
  requires: ['client_id', 'refresh_token'],
  title: 'the OAuth refresh token flow',
  inferFrom: (has) => has('refresh_token'),
  renewable: true,
  build: (settings, host) => {
    const auth: RefreshTokenAuth = { ...host, type: 'oauth_refresh_token', clientId: settings.required('client_id'), refreshToken: settings.required('refresh_token') };
    const secret = settings.optional('client_secret');
    if (secret !== undefined) auth.clientSecret = secret;
    return auth;
  },
  connect: (auth, options) => {
    let refreshToken = auth.refreshToken;
    return async (signal) => {
      const body = await requestOAuthToken({
        send: options.send,
        loginUrl: auth.loginUrl,
        signal,
        params: { grant_type: 'refresh_token', client_id: auth.clientId, client_secret: auth.clientSecret, refresh_token: refreshToken },
      });
      const rotated = body.refresh_token;
      if (typeof rotated === 'string' && rotated !== refreshToken) {
        refreshToken = rotated;
        await options.onRefreshTokenRotated?.(rotated);
      }
      return toSession(body, auth.instanceUrl, (options.now ?? Date.now)());
    };
  },
};
