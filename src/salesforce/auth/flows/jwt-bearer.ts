/**
 * OAuth JWT bearer flow: an RS256 assertion (iss = client_id, sub = username, aud = the login
 * host, exp a few minutes ahead) signed with node:crypto by the key whose certificate is on the
 * connected app. No secret travels and no person has to approve anything at run time.
 */
import { createPrivateKey, sign } from 'node:crypto';
import { secrets } from '../../../core/secrets.js';
import { requestOAuthToken, toSession } from '../oauth-token.js';
import type { FlowAdvice } from '../auth-errors.js';
import type { AuthFlow, LoginHost } from '../types.js';

const ADVICE: FlowAdvice = {
  invalid_grant: 'Check `username`, that the certificate uploaded to the app matches `private_key`, and that the user is pre-authorized for the app.',
};

export const JWT_LIFETIME_SECONDS = 180;
const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface JwtBearerAuth extends LoginHost {
  type: 'jwt';
  clientId: string;
  username: string;
  /** PEM, PKCS#8 or PKCS#1, with real line breaks. */
  privateKey: string;
  /** JWT `aud` override (a community URL); default login/test.salesforce.com. */
  jwtAudience?: string;
}

function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString('base64url');
}

/** A signed JWT bearer assertion. */
export function buildJwtAssertion(auth: JwtBearerAuth, nowMs: number): string {
  const audience = auth.jwtAudience ?? (auth.isSandbox ? 'https://test.salesforce.com' : 'https://login.salesforce.com');
  const header = base64url(JSON.stringify({ alg: 'RS256' }));
  const claims = base64url(JSON.stringify({ iss: auth.clientId, sub: auth.username, aud: audience, exp: Math.floor(nowMs / 1000) + JWT_LIFETIME_SECONDS }));
  const signature = sign('RSA-SHA256', Buffer.from(`${header}.${claims}`), createPrivateKey(auth.privateKey));
  return `${header}.${claims}.${base64url(signature)}`;
}

/** Env vars often carry the PEM with literal "\n"; the key itself never contains a backslash. */
function unescapePem(pem: string): string {
  return pem.includes('\\n') ? pem.replace(/\\n/g, '\n') : pem;
}

export const jwtBearerFlow: AuthFlow<JwtBearerAuth> = {
  type: 'jwt',
  aliases: ['jwt_bearer'],
  requires: ['client_id', 'username', 'private_key'],
  title: 'the JWT bearer flow',
  inferFrom: (has) => has('private_key'),
  renewable: true,
  build: (settings, host, problems) => {
    const privateKey = unescapePem(settings.required('private_key'));
    try {
      if (createPrivateKey(privateKey).asymmetricKeyType !== 'rsa') problems.push('Expected `private_key` to be an RSA private key (RS256), got another key type');
    } catch {
      problems.push('Expected `private_key` to be a PEM private key (-----BEGIN PRIVATE KEY-----), got a value that does not parse (not shown: secret)');
    }
    const auth: JwtBearerAuth = { ...host, type: 'jwt', clientId: settings.required('client_id'), username: settings.required('username'), privateKey };
    const audience = settings.optional('jwt_audience');
    if (audience !== undefined) auth.jwtAudience = audience;
    return auth;
  },
  connect: (auth, options) => async (signal) => {
    const assertion = buildJwtAssertion(auth, (options.now ?? Date.now)());
    secrets.register(assertion);
    const body = await requestOAuthToken({ send: options.send, loginUrl: auth.loginUrl, advice: ADVICE, signal, params: { grant_type: JWT_GRANT, assertion } });
    return toSession(body, auth.instanceUrl, (options.now ?? Date.now)());
  },
};
