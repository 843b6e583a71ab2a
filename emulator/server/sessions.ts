import { secureToken } from './ids.js';

export interface Session {
  token: string;
  userId: string;
  /** Grant or login that created it (`password`, `soap`, ...). */
  flow: string;
  issuedAt: number;
  lastUsedAt: number;
}

export interface AuthorizationCode {
  clientId: string;
  redirectUri: string;
  codeChallenge?: string | undefined;
  codeChallengeMethod?: 'S256' | 'plain' | undefined;
  issuedAt: number;
}

/** Authorization codes are good for 15 minutes. */
const CODE_TTL_MS = 15 * 60 * 1000;

/**
 * Access tokens (also SOAP session ids), refresh tokens and authorization codes. A session ends
 * after `ttlSeconds()` of inactivity, like Salesforce's session timeout, or when a test expires it.
 */
export class SessionStore {
  readonly #sessions = new Map<string, Session>();
  readonly #refreshTokens = new Set<string>();
  readonly #codes = new Map<string, AuthorizationCode>();

  constructor(
    private readonly orgId15: string,
    private readonly ttlSeconds: () => number,
    private readonly now: () => number,
  ) {}

  issue(userId: string, flow: string): Session {
    const at = this.now();
    const session = { token: `${this.orgId15}!${secureToken(96)}`, userId, flow, issuedAt: at, lastUsedAt: at };
    this.#sessions.set(session.token, session);
    return session;
  }

  /** The live session for a token, its inactivity clock restarted; undefined when unknown or expired. */
  use(token: string): Session | undefined {
    const session = this.#sessions.get(token);
    if (!session) return undefined;
    const at = this.now();
    if (at - session.lastUsedAt > this.ttlSeconds() * 1000) {
      this.#sessions.delete(token);
      return undefined;
    }
    session.lastUsedAt = at;
    return session;
  }

  expire(token: string): void {
    this.#sessions.delete(token);
  }

  /** Ends every session now: the next data call gets 401 INVALID_SESSION_ID. */
  expireAll(): void {
    this.#sessions.clear();
  }

  get activeCount(): number {
    return this.#sessions.size;
  }

  addRefreshToken(token: string): void {
    this.#refreshTokens.add(token);
  }

  newRefreshToken(): string {
    const token = `5Aep861${secureToken(80)}`;
    this.#refreshTokens.add(token);
    return token;
  }

  isRefreshTokenValid(token: string): boolean {
    return this.#refreshTokens.has(token);
  }

  revokeRefreshToken(token: string): void {
    this.#refreshTokens.delete(token);
  }

  /** Revokes every refresh token (a user resetting the app's access). */
  revokeAllRefreshTokens(): void {
    this.#refreshTokens.clear();
  }

  issueCode(code: Omit<AuthorizationCode, 'issuedAt'>): string {
    const value = `aPrx${secureToken(60)}`;
    this.#codes.set(value, { ...code, issuedAt: this.now() });
    return value;
  }

  /** Codes are single use: taking one removes it. */
  takeCode(value: string): { code: AuthorizationCode; expired: boolean } | undefined {
    const code = this.#codes.get(value);
    if (!code) return undefined;
    this.#codes.delete(value);
    return { code, expired: this.now() - code.issuedAt > CODE_TTL_MS };
  }
}
