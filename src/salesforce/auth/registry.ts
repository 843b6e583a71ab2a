/**
 * Every auth flow the tap knows, in the order a config without `auth_type` is matched against
 * them (the first whose `inferFrom` holds wins; none: the refresh token flow). Config parsing
 * derives `auth_type` aliases, required settings and inference from this list, and logins
 * dispatch through it.
 *
 * Adding a flow: write flows/<name>.ts exporting an `AuthFlow<YourAuth>` (its typed config,
 * aliases, required settings, inference rule, login), add it to AUTH_FLOWS below, and add its
 * `auth_type` value (and any new setting) to schemas/config.schema.json.
 */
import { accessTokenFlow } from './flows/access-token.js';
import { clientCredentialsFlow } from './flows/client-credentials.js';
import { jwtBearerFlow } from './flows/jwt-bearer.js';
import { passwordFlow } from './flows/password.js';
import { refreshTokenFlow } from './flows/refresh-token.js';
import { soapLoginFlow } from './flows/soap-login.js';
import type { AuthFlow, Authenticator, LoginHost, LoginOptions } from './types.js';

export const AUTH_FLOWS = [accessTokenFlow, refreshTokenFlow, jwtBearerFlow, passwordFlow, soapLoginFlow, clientCredentialsFlow] as const;

type ConfigOf<F> = F extends AuthFlow<infer C> ? C : never;

/** The validated auth settings of one flow, told apart by `type`. */
export type AuthConfig = ConfigOf<(typeof AUTH_FLOWS)[number]>;
export type AuthType = AuthConfig['type'];

export const AUTH_TYPES: readonly AuthType[] = AUTH_FLOWS.map((flow) => flow.type);

/** The flow used when nothing in a config points to one. */
export const DEFAULT_AUTH_TYPE: AuthType = 'oauth_refresh_token';

type AnyFlow = AuthFlow<LoginHost & { type: string }>;

export function findAuthFlow(type: string): AnyFlow | undefined {
  return (AUTH_FLOWS as readonly AnyFlow[]).find((flow) => flow.type === type);
}

/** The flow a written `auth_type` (a type or an alias, any case) names, or undefined. */
export function resolveAuthTypeName(name: string): AuthType | undefined {
  const lower = name.trim().toLowerCase();
  const flow = (AUTH_FLOWS as readonly AnyFlow[]).find((f) => f.type === lower || f.aliases.includes(lower));
  return flow?.type as AuthType | undefined;
}

/** The flow the credentials point to when `auth_type` is absent. */
export function inferAuthType(has: (key: string) => boolean): AuthType {
  const flow = (AUTH_FLOWS as readonly AnyFlow[]).find((f) => f.inferFrom(has));
  return (flow?.type as AuthType | undefined) ?? DEFAULT_AUTH_TYPE;
}

export function createAuthenticator(auth: AuthConfig, options: LoginOptions): Authenticator {
  const flow = findAuthFlow(auth.type)!;
  const login = flow.connect(auth, options);
  return { flow: flow.type, renewable: flow.renewable, login };
}
