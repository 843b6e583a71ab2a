/**
 * `tap-salesforce auth login`: gets a refresh token through the browser and writes a ready
 * config. It prints the authorize URL, catches the callback on the loopback redirect URI, checks
 * `state`, exchanges the code (PKCE) and writes the config file atomically with mode 0600.
 */
import { access } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ConfigError, TapError } from '../core/errors.js';
import { secrets } from '../core/secrets.js';
import { writeConfigFileAtomic } from '../config/persist-config.js';
import { PRODUCTION_LOGIN_URL, SANDBOX_LOGIN_URL } from '../config/parse-config.js';
import type { RequestFn } from '../salesforce/http/types.js';
import { buildAuthorizeUrl, createOAuthState, createPkce, exchangeAuthorizationCode } from '../salesforce/auth/web-server-flow.js';

export interface AuthLoginOptions {
  clientId: string;
  clientSecret?: string;
  sandbox: boolean;
  loginUrl?: string;
  /** Must be registered as a callback URL of the connected app; loopback only. */
  redirectUri: string;
  scopes: string;
  configOut: string;
  force: boolean;
  timeoutSeconds: number;
}

export interface AuthLoginIo {
  send: RequestFn;
  log(message: string): void;
  /** Opens the URL in a browser when it can; the URL is printed either way. */
  openBrowser(url: string): void;
  signal: AbortSignal;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function page(title: string, text: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${title}</title></head><body style="font-family:sans-serif;margin:3em"><h1>${title}</h1><p>${text}</p></body></html>`;
}

interface CallbackServer {
  /** Resolves with the authorization code, or rejects with what went wrong. */
  code: Promise<string>;
  close(): void;
}

/**
 * Listens on the redirect URI's port, on IPv4 and (when it can) IPv6 loopback, for one callback.
 * Resolves once listening, so the URL is printed only when the callback can be received.
 */
async function startCallbackServer(redirect: URL, expectedState: string, timeoutMs: number, signal: AbortSignal): Promise<CallbackServer> {
  const servers: Server[] = [];
  let settle!: { resolve: (code: string) => void; reject: (error: TapError) => void };
  const code = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  code.catch(() => undefined);
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', redirect);
    if (url.pathname !== redirect.pathname) {
      res.writeHead(404).end();
      return;
    }
    const reply = (status: number, title: string, text: string) => res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', connection: 'close' }).end(page(title, text));
    const error = url.searchParams.get('error');
    if (url.searchParams.get('state') !== expectedState) {
      reply(400, 'Login not accepted', 'This callback does not belong to the login tap-salesforce started. Run <code>tap-salesforce auth login</code> again.');
      settle.reject(new TapError('TAP_OAUTH_STATE_MISMATCH', "The callback carried another login's state (a stale browser tab, or a forged request); nothing was written. Run `tap-salesforce auth login` again.", { kind: 'auth' }));
      return;
    }
    if (error) {
      const description = url.searchParams.get('error_description') ?? '';
      reply(400, 'Login failed', `Salesforce said: ${error}. You can close this tab.`);
      const advice = error === 'access_denied' ? 'The login was denied in the browser.' : error === 'OAUTH_APPROVAL_ERROR_GENERIC' ? 'The app is not installed or approved in this org.' : "Check the connected app's callback URL and OAuth settings.";
      settle.reject(new TapError(`SF_${error.toUpperCase()}`, `Salesforce did not authorize the login (${error}: ${description}). ${advice}`, { kind: 'auth' }));
      return;
    }
    const value = url.searchParams.get('code');
    if (!value) {
      reply(400, 'Login failed', 'The callback had no authorization code.');
      settle.reject(new TapError('TAP_OAUTH_NO_CODE', 'The callback had no authorization code; run `tap-salesforce auth login` again.', { kind: 'auth' }));
      return;
    }
    secrets.register(value);
    reply(200, 'Logged in', 'tap-salesforce got the authorization; you can close this tab.');
    settle.resolve(value);
  };
  const port = Number(redirect.port || 80);
  const listen = (host: string) =>
    new Promise<void>((resolve, reject) => {
      const server = createServer(handler);
      server.once('error', reject);
      server.listen(port, host, () => {
        servers.push(server);
        resolve();
      });
    });
  const close = () => {
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
  };
  try {
    await listen('127.0.0.1');
  } catch (error) {
    throw new ConfigError('TAP_CALLBACK_PORT_BUSY', `Cannot listen on ${redirect.host} for the callback (${(error as NodeJS.ErrnoException).code}): free the port or pass another --redirect-uri registered on the app.`);
  }
  // Browsers may resolve localhost to ::1; without IPv6 loopback, 127.0.0.1 alone serves.
  await listen('::1').catch(() => undefined);
  const timer = setTimeout(() => settle.reject(new TapError('TAP_OAUTH_TIMEOUT', `No callback within ${Math.round(timeoutMs / 1000)} s; run \`tap-salesforce auth login\` again and finish the login in the browser.`, { kind: 'auth' })), timeoutMs);
  const onAbort = () => settle.reject(new TapError('TAP_INTERRUPTED', 'The login was interrupted; nothing was written.', { kind: 'interrupted' }));
  signal.addEventListener('abort', onAbort, { once: true });
  void code.finally(() => {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
  }).catch(() => undefined);
  return { code, close };
}

export async function runAuthLogin(options: AuthLoginOptions, io: AuthLoginIo): Promise<number> {
  if (options.clientSecret) secrets.register(options.clientSecret);
  const redirect = new URL(options.redirectUri);
  if (redirect.protocol !== 'http:' || !LOOPBACK.has(redirect.hostname)) {
    throw new ConfigError('TAP_ARGUMENTS_INVALID', `Expected --redirect-uri to be an http://localhost or http://127.0.0.1 URL registered on the connected app, got \`${options.redirectUri}\``);
  }
  if (!options.force) {
    const exists = await access(options.configOut).then(() => true, () => false);
    if (exists) throw new ConfigError('TAP_CONFIG_EXISTS', `${options.configOut} already exists; pass --force to replace it or --config-out to write elsewhere.`);
  }
  const loginUrl = options.loginUrl ?? (options.sandbox ? SANDBOX_LOGIN_URL : PRODUCTION_LOGIN_URL);
  const pkce = createPkce();
  const state = createOAuthState();
  const authorizeUrl = buildAuthorizeUrl({ loginUrl, clientId: options.clientId, redirectUri: options.redirectUri, challenge: pkce.challenge, state, scopes: options.scopes });
  const callback = await startCallbackServer(redirect, state, options.timeoutSeconds * 1000, io.signal);
  let code: string;
  try {
    io.log(`Open this URL in a browser and log in to Salesforce:\n\n  ${authorizeUrl}\n\nWaiting for the callback on ${options.redirectUri} ...`);
    io.openBrowser(authorizeUrl);
    code = await callback.code;
  } finally {
    callback.close();
  }
  const tokens = await exchangeAuthorizationCode(io.send, { loginUrl, clientId: options.clientId, ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}), redirectUri: options.redirectUri, code, verifier: pkce.verifier }, io.signal);
  const config: Record<string, unknown> = {
    auth_type: 'oauth_refresh_token',
    client_id: options.clientId,
    ...(options.clientSecret ? { client_secret: options.clientSecret } : {}),
    refresh_token: tokens.refreshToken,
    ...(options.loginUrl ? { login_url: options.loginUrl } : options.sandbox ? { is_sandbox: true } : {}),
  };
  try {
    await writeConfigFileAtomic(options.configOut, config);
  } catch (error) {
    throw new ConfigError('TAP_CONFIG_NOT_WRITABLE', `Could not write ${options.configOut}: ${(error as TapError).cause instanceof Error ? ((error as TapError).cause as Error).message : (error as Error).message}`);
  }
  io.log(`Logged in to ${tokens.instanceUrl}. Wrote ${options.configOut} (mode 0600); try it with: tap-salesforce check --config ${options.configOut}`);
  return 0;
}
