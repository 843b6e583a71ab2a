/**
 * `tap-salesforce auth login`: gets a refresh token through the browser and writes a ready
 * config. It listens for the callback on http://127.0.0.1:PORT/callback, prints the authorize URL
 * (PKCE S256 and a random `state`), checks `state` on the callback, exchanges the code and writes
 * the config file atomically with mode 0600. Nothing is written when any step fails.
 */
import { access } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError, TapError } from '../core/errors.js';
import { secrets } from '../core/secrets.js';
import { writeConfigFileAtomic } from '../config/persist-config.js';
import { PRODUCTION_LOGIN_URL, SANDBOX_LOGIN_URL } from '../config/auth-settings.js';
import { isLoopback, parseHostUrl } from '../config/values.js';
import type { RequestFn } from '../salesforce/http/types.js';
import { buildAuthorizeUrl, createOAuthState, createPkce, exchangeAuthorizationCode } from '../salesforce/auth/web-server-flow.js';

export interface AuthLoginOptions {
  clientId: string;
  clientSecret?: string;
  sandbox: boolean;
  loginUrl?: string;
  /** The callback is http://127.0.0.1:PORT/callback; 0 picks a free port. */
  port: number;
  /** Replaces the 127.0.0.1 callback (loopback http only); must be listed on the connected app. */
  redirectUri?: string;
  scopes: string;
  configOut: string;
  force: boolean;
  timeoutSeconds: number;
}

export interface AuthLoginIo {
  send: RequestFn;
  /** Shows text to the person at the terminal (stderr), whatever the log level. */
  show(text: string): void;
  /** Opens the URL in a browser when it can; the URL is shown either way. */
  openBrowser(url: string): void;
  signal: AbortSignal;
}

export const CALLBACK_PATH = '/callback';

/** The login host as an origin: https, or http on loopback (the emulator), as the config allows. */
function parseLoginUrl(value: string): string {
  const parsed = parseHostUrl('--login-url', value);
  if ('problem' in parsed) throw new ConfigError('TAP_ARGUMENTS_INVALID', parsed.problem);
  return parsed.origin;
}

function parseRedirectUri(value: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'http:' || !isLoopback(url.hostname) || !url.port) {
    throw new ConfigError('TAP_ARGUMENTS_INVALID', `Expected --redirect-uri to be an http://127.0.0.1:PORT/… or http://localhost:PORT/… URL listed on the connected app, got \`${value}\``);
  }
  return url;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&${{ '&': 'amp', '<': 'lt', '>': 'gt', '"': 'quot', "'": '#39' }[c]};`);
}

function page(title: string, text: string): string {
  return `<!DOCTYPE html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;margin:3em"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(text)}</p><p>You can close this tab.</p></body></html>`;
}

/** Salesforce's words for a refused authorization, and what the user can do about it. */
function callbackError(error: string, description: string): TapError {
  const advice =
    error === 'access_denied'
      ? 'The login was denied in the browser; run `tap-salesforce auth login` again and choose Allow.'
      : error.toUpperCase() === 'OAUTH_APPROVAL_ERROR_GENERIC'
        ? 'The app is not installed or approved in this org: an admin must install it, or grant "Approve Uninstalled Connected Apps".'
        : error === 'redirect_uri_mismatch'
          ? 'The callback URL is not listed on the connected app: add it there (Salesforce matches it exactly, port included).'
          : "Check the connected app's callback URL and OAuth settings.";
  return new TapError(`SF_${error.toUpperCase()}`, `Salesforce did not authorize the login (${error}${description ? `: ${description}` : ''}). ${advice}`, { kind: 'auth' });
}

interface CallbackServer {
  /** The redirect URI the server answers on (its real port when 0 was asked for). */
  redirectUri: string;
  /** Resolves with the authorization code, or rejects with what went wrong. */
  waitForCode(timeoutMs: number, signal: AbortSignal): Promise<string>;
  close(): void;
}

/**
 * Listens on the redirect URI's host and port for one callback. Resolves once listening, so the
 * URL is shown only when the callback can be received.
 */
async function startCallbackServer(redirect: URL, expectedState: string): Promise<CallbackServer> {
  const servers: Server[] = [];
  let settle!: { resolve: (code: string) => void; reject: (error: TapError) => void };
  const code = new Promise<string>((resolve, reject) => (settle = { resolve, reject }));
  code.catch(() => undefined);
  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', redirect);
    if (url.pathname !== redirect.pathname) {
      res.writeHead(404, { connection: 'close' }).end();
      return;
    }
    const reply = (status: number, title: string, text: string): void => {
      res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', connection: 'close' }).end(page(title, text));
    };
    if (url.searchParams.get('state') !== expectedState) {
      reply(400, 'Login not accepted', 'This callback does not belong to the login tap-salesforce is waiting for. Run tap-salesforce auth login again.');
      settle.reject(new TapError('TAP_OAUTH_STATE_MISMATCH', "The callback carried another login's state (a stale browser tab, or a forged request); nothing was written. Run `tap-salesforce auth login` again.", { kind: 'auth' }));
      return;
    }
    const error = url.searchParams.get('error');
    if (error) {
      reply(400, 'Login failed', `Salesforce said: ${error}. See the terminal for what to do.`);
      settle.reject(callbackError(error, url.searchParams.get('error_description') ?? ''));
      return;
    }
    const value = url.searchParams.get('code');
    if (!value) {
      reply(400, 'Login failed', 'The callback had no authorization code.');
      settle.reject(new TapError('TAP_OAUTH_NO_CODE', 'The callback had no authorization code; run `tap-salesforce auth login` again.', { kind: 'auth' }));
      return;
    }
    secrets.register(value);
    reply(200, 'Logged in', 'tap-salesforce got the authorization and is writing the config.');
    settle.resolve(value);
  };
  const listen = (host: string, port: number): Promise<number> =>
    new Promise<number>((resolve, reject) => {
      const server = createServer(handler);
      server.once('error', reject);
      server.listen(port, host, () => {
        servers.push(server);
        resolve((server.address() as AddressInfo).port);
      });
    });
  let port: number;
  try {
    port = await listen(redirect.hostname.replace(/^\[|\]$/g, '') === 'localhost' ? '127.0.0.1' : redirect.hostname.replace(/^\[|\]$/g, ''), Number(redirect.port));
  } catch (error) {
    throw new ConfigError('TAP_CALLBACK_PORT_BUSY', `Cannot listen on ${redirect.host} for the callback (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): free the port, or pass --port with another port listed on the connected app.`);
  }
  // Browsers may resolve localhost to ::1 first; 127.0.0.1 alone serves where IPv6 is off.
  if (redirect.hostname === 'localhost') await listen('::1', port).catch(() => undefined);
  const actual = new URL(redirect);
  actual.port = String(port);
  return {
    redirectUri: actual.toString(),
    waitForCode: (timeoutMs, signal) => {
      const timer = setTimeout(() => settle.reject(new TapError('TAP_OAUTH_TIMEOUT', `No callback within ${Math.round(timeoutMs / 1000)} s; run \`tap-salesforce auth login\` again and finish the login in the browser.`, { kind: 'auth' })), timeoutMs);
      const onAbort = (): void => settle.reject(new TapError('TAP_INTERRUPTED', 'The login was interrupted; nothing was written.', { kind: 'interrupted' }));
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      return code.finally(() => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
      });
    },
    close: () => {
      for (const server of servers) {
        server.closeAllConnections();
        server.close();
      }
    },
  };
}

async function refuseExisting(path: string): Promise<void> {
  const exists = await access(path).then(() => true, () => false);
  if (exists) throw new ConfigError('TAP_CONFIG_EXISTS', `${path} already exists; pass --force to replace it or --config-out to write elsewhere.`);
}

export async function runAuthLogin(options: AuthLoginOptions, io: AuthLoginIo): Promise<number> {
  if (options.clientSecret) secrets.register(options.clientSecret);
  const loginUrl = options.loginUrl !== undefined ? parseLoginUrl(options.loginUrl) : options.sandbox ? SANDBOX_LOGIN_URL : PRODUCTION_LOGIN_URL;
  const redirect = options.redirectUri !== undefined ? parseRedirectUri(options.redirectUri) : new URL(`http://127.0.0.1:${options.port}${CALLBACK_PATH}`);
  if (!options.force) await refuseExisting(options.configOut);
  const pkce = createPkce();
  const state = createOAuthState();
  const callback = await startCallbackServer(redirect, state);
  const redirectUri = callback.redirectUri;
  const authorizeUrl = buildAuthorizeUrl({ loginUrl, clientId: options.clientId, redirectUri, challenge: pkce.challenge, state, scopes: options.scopes });
  let code: string;
  try {
    io.show(`Open this URL in a browser and log in to Salesforce:\n\n  ${authorizeUrl}\n\nWaiting for the callback on ${redirectUri} (the connected app must list this callback URL) ...`);
    io.openBrowser(authorizeUrl);
    code = await callback.waitForCode(options.timeoutSeconds * 1000, io.signal);
  } finally {
    callback.close();
  }
  let tokens: Awaited<ReturnType<typeof exchangeAuthorizationCode>>;
  try {
    tokens = await exchangeAuthorizationCode(io.send, { loginUrl, clientId: options.clientId, ...(options.clientSecret ? { clientSecret: options.clientSecret } : {}), redirectUri, code, verifier: pkce.verifier }, io.signal);
  } catch (error) {
    if (!(error instanceof TapError) || error.kind === 'interrupted') throw error;
    throw new TapError(error.code, `Exchanging the authorization code for tokens failed: ${error.message}`, { kind: error.kind, cause: error, ...(error.detail !== undefined ? { detail: error.detail } : {}) });
  }
  const config: Record<string, unknown> = {
    auth_type: 'oauth_refresh_token',
    client_id: options.clientId,
    ...(options.clientSecret ? { client_secret: options.clientSecret } : {}),
    refresh_token: tokens.refreshToken,
    ...(options.loginUrl !== undefined ? { login_url: loginUrl } : options.sandbox ? { is_sandbox: true } : {}),
  };
  // The login took a while: a file may have appeared since the first look.
  if (!options.force) await refuseExisting(options.configOut);
  try {
    await writeConfigFileAtomic(options.configOut, config);
  } catch (error) {
    const cause = (error as TapError).cause;
    throw new ConfigError('TAP_CONFIG_NOT_WRITABLE', `Could not write ${options.configOut}: ${cause instanceof Error ? cause.message : (error as Error).message}`);
  }
  io.show(`Logged in to ${tokens.instanceUrl}. Wrote ${options.configOut} (mode 0600); try it with: tap-salesforce check --config ${options.configOut}`);
  return 0;
}
