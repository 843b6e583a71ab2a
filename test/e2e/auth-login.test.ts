/**
 * `tap-salesforce auth login` end to end: the CLI prints the authorize URL, the "browser" (this
 * test) follows it to the emulator's authorize endpoint, which redirects to the CLI's loopback
 * callback with a code; the CLI exchanges it (PKCE) and writes a config that logs in.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../emulator/index.js';
import { CLI_PATH, expectNoSecrets, runTap } from '../helpers/run-tap.js';

let emulator: Emulator;
let port: number;
let redirectUri: string;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  // Salesforce (and the emulator) match the callback URL exactly, so the app lists this port.
  port = await freePort();
  redirectUri = `http://127.0.0.1:${port}/callback`;
  emulator = await startEmulator({ records: 10, seed: 31, credentials: { redirectUri } });
});
afterAll(async () => {
  await emulator.close();
});

interface LoginRun {
  exitCode: number | null;
  stderr: string;
  dir: string;
}

/**
 * Runs `auth login`; once the authorize URL is printed, `browser` decides what reaches the
 * callback: by default the emulator's own redirect.
 */
function login(extra: string[], browser?: (authorizeUrl: string) => Promise<unknown>, dir = mkdtempSync(join(tmpdir(), 'auth-login-'))): Promise<LoginRun> {
  const { clientId, clientSecret } = emulator.credentials;
  const portArgs = extra.includes('--port') ? [] : ['--port', String(port)];
  const child = spawn(process.execPath, [CLI_PATH, 'auth', 'login', '--client-id', clientId, '--login-url', emulator.loginUrl, ...portArgs, '--no-browser', '--timeout', '20', ...extra], {
    cwd: dir,
    env: { PATH: process.env.PATH, TAP_SALESFORCE_CLIENT_SECRET: clientSecret },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  let stdout = '';
  let followed = false;
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => {
    stderr += c.toString();
    const url = /(http:\/\/\S+\/services\/oauth2\/authorize\S+)/.exec(stderr)?.[1];
    if (url && !followed) {
      followed = true;
      void (browser ?? followRedirect)(url);
    }
  });
  return new Promise((resolve) =>
    child.on('close', (code) => {
      expect(stdout, 'auth login prints nothing on stdout').toBe('');
      resolve({ exitCode: code, stderr, dir });
    }),
  );
}

/** One GET on a fresh connection (a browser tab): no pooled socket to a callback server that is gone. */
function get(url: string | URL): Promise<{ status: number; location?: string; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (body += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, ...(res.headers.location ? { location: res.headers.location } : {}) }));
    });
    req.on('error', reject);
  });
}

/** What a browser does: GET the authorize URL, then GET the Location it redirects to. */
async function followRedirect(authorizeUrl: string, rewrite: (callback: URL) => URL = (u) => u): Promise<{ status: number; body: string }> {
  const authorize = await get(authorizeUrl);
  if (!authorize.location) throw new Error(`authorize answered ${authorize.status} without a redirect`);
  return get(rewrite(new URL(authorize.location)));
}

describe('auth login', () => {
  it('gets a refresh token with PKCE and writes a config (mode 0600) that logs in', async () => {
    let authorize: URL | undefined;
    let page: { status: number; body: string } | undefined;
    const run = await login(['--config-out', 'sf.json'], async (url) => {
      authorize = new URL(url);
      page = await followRedirect(url);
    });
    expect(run.exitCode, run.stderr).toBe(0);
    expect(authorize!.origin + authorize!.pathname).toBe(`${emulator.loginUrl}/services/oauth2/authorize`);
    expect(Object.fromEntries(authorize!.searchParams)).toEqual({
      response_type: 'code',
      client_id: emulator.credentials.clientId,
      redirect_uri: redirectUri,
      code_challenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      code_challenge_method: 'S256',
      state: expect.stringMatching(/^[A-Za-z0-9_-]{16,}$/),
      scope: 'api refresh_token',
    });
    expect(page!.status).toBe(200);
    expect(page!.body).toMatch(/close this tab/);
    const path = join(run.dir, 'sf.json');
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const config = JSON.parse(readFileSync(path, 'utf8')) as Record<string, string>;
    expect(config).toEqual({
      auth_type: 'oauth_refresh_token',
      client_id: emulator.credentials.clientId,
      client_secret: emulator.credentials.clientSecret,
      refresh_token: expect.stringMatching(/\S{20,}/),
      login_url: emulator.loginUrl,
    });
    expectNoSecrets({ stdout: '', stderr: run.stderr }, [config.refresh_token!, emulator.credentials.clientSecret]);
    const token = emulator.journal.entries({ route: 'oauth.token', grantType: 'authorization_code' });
    expect(token).toHaveLength(1);
    const check = await runTap(['check', '--config', '{file:config.json}'], { files: { 'config.json': config } });
    expect((check.ofType('CONNECTION_STATUS')[0]!.connectionStatus as { status: string }).status).toBe('SUCCEEDED');
  });

  it('listens on a free port with --port 0 and names it in the redirect URI', async () => {
    let callback: URL | undefined;
    const run = await login(['--port', '0', '--config-out', 'sf.json'], async (url) => {
      const authorize = new URL(url);
      callback = new URL(authorize.searchParams.get('redirect_uri')!);
      await get(`${callback}?error=access_denied&state=${authorize.searchParams.get('state')}`);
    });
    expect(callback!.hostname).toBe('127.0.0.1');
    expect(callback!.pathname).toBe('/callback');
    expect(Number(callback!.port)).toBeGreaterThan(0);
    expect(run.exitCode).toBe(4);
  });

  it('refuses to overwrite an existing config unless --force', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'auth-login-'));
    writeFileSync(join(dir, 'tap-salesforce.config.json'), '{"keep": true}');
    const run = await login([], async () => undefined, dir);
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toMatch(/already exists; pass --force/);
    expect(readFileSync(join(dir, 'tap-salesforce.config.json'), 'utf8')).toBe('{"keep": true}');
    const forced = await login(['--force'], undefined, dir);
    expect(forced.exitCode, forced.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'tap-salesforce.config.json'), 'utf8'))).toHaveProperty('refresh_token');
  });

  it('fails cleanly when the user denies access, writing nothing', async () => {
    let page: { status: number; body: string } | undefined;
    const run = await login(['--config-out', 'sf.json'], async (url) => {
      const state = new URL(url).searchParams.get('state')!;
      page = await get(`${redirectUri}?error=access_denied&error_description=end-user+denied+authorization&state=${state}`);
    });
    expect(run.exitCode).toBe(4);
    expect(run.stderr).toMatch(/access_denied.*denied in the browser/);
    expect(run.stderr.trim().split('\n').filter((line) => / ERROR /.test(line))).toHaveLength(1);
    expect(page!.body).toMatch(/close this tab/);
    expect(existsSync(join(run.dir, 'sf.json'))).toBe(false);
  });

  it('fails cleanly when the code exchange is refused, writing nothing', async () => {
    const run = await login(['--config-out', 'sf.json'], async (url) => {
      const state = new URL(url).searchParams.get('state')!;
      await get(`${redirectUri}?code=not-a-code-salesforce-issued&state=${state}`);
    });
    expect(run.exitCode).toBe(4);
    expect(run.stderr).toMatch(/Exchanging the authorization code for tokens failed.*invalid_grant/);
    expect(run.stderr).toMatch(/\[SF_INVALID_GRANT\]/);
    expect(existsSync(join(run.dir, 'sf.json'))).toBe(false);
  });

  it('refuses a callback whose state is not its own', async () => {
    const started = Date.now();
    const run = await login(['--config-out', 'sf.json'], (url) =>
      followRedirect(url, (callback) => {
        callback.searchParams.set('state', 'forged');
        return callback;
      }),
    );
    expect(run.exitCode).toBe(4);
    expect(run.stderr).toMatch(/another login's state/);
    expect(existsSync(join(run.dir, 'sf.json'))).toBe(false);
    expect(emulator.journal.entries({ route: 'oauth.token', grantType: 'authorization_code' }).filter((e) => e.startedAt >= started)).toHaveLength(0);
  });

  it('needs --client-id', async () => {
    const run = await runTap(['auth', 'login']);
    expect(run.exitCode).toBe(3);
    expect(run.stderr).toMatch(/--client-id/);
  });
});
