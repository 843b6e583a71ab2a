/**
 * The composition root: parses the command line, loads the config, builds the CommandContext
 * and runs one command. Every error ends here and is reported once, through ERROR_KINDS:
 * Airbyte runs end with a TRACE ERROR of the right failure_type, Singer runs with one clear
 * stderr line; stack traces (redacted) only for tap faults or with --debug.
 */
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { DEFAULTS } from '../core/defaults.js';
import { runAuthLogin } from '../commands/auth-login.js';
import { createBaseRequester } from '../salesforce/http/send-request.js';
import packageJson from '../../package.json' with { type: 'json' };
import { ERROR_KINDS, TapError, toTapError } from '../core/errors.js';
import { secrets } from '../core/secrets.js';
import { parseConfig } from '../config/parse-config.js';
import { readConfigEnv, readConfigFile } from '../config/read-config.js';
import { mergeConfigChanges, writeConfigFileAtomic } from '../config/persist-config.js';
import type { TapConfig } from '../config/types.js';
import { StreamLineWriter, type MessageWriter } from '../io/line-writer.js';
import { createLogger, parseLogLevel, type Logger } from '../io/logger.js';
import { createProgress, type Progress, type ProgressMode } from '../io/progress.js';
import type { ConfigSource, ProtocolAdapter } from '../protocol/adapter.js';
import type { ConnectedClient } from '../salesforce/http/connect-client.js';
import type { ProxySettings } from '../salesforce/http/send-request.js';
import type { SalesforceClient } from '../salesforce/client.js';
import { buildAbout, renderAboutMarkdown } from '../commands/about.js';
import type { CommandContext } from '../commands/context.js';
import { runSpec } from '../commands/spec.js';
import { chooseProtocol, parseArgs, USAGE, type AuthLoginArguments, type Invocation } from './parse-args.js';

export interface CliEnvironment {
  stdout: Writable;
  /** What a `-` config path reads (a function: stdin is opened only when asked for). */
  stdin?: () => Readable;
  /** The terminal, when stderr is one: live progress is drawn on it. */
  stderrTty?: Writable & { columns?: number };
  /** Receives whole log lines. */
  writeStderr: (text: string) => void;
  env: Record<string, string | undefined>;
  /** Aborted on SIGINT / SIGTERM. */
  signal: AbortSignal;
}

type Raw = Record<string, unknown>;

/** Proxy settings from the usual env vars (either case); proxy credentials are secrets. */
export function proxyFromEnv(env: CliEnvironment['env']): ProxySettings | undefined {
  const pick = (name: string): string | undefined => env[name] ?? env[name.toLowerCase()];
  const proxy: ProxySettings = {};
  const https = pick('HTTPS_PROXY');
  const http = pick('HTTP_PROXY');
  const no = pick('NO_PROXY');
  if (https) proxy.httpsProxy = https;
  if (http) proxy.httpProxy = http;
  if (no) proxy.noProxy = no;
  for (const url of [https, http]) {
    if (!url) continue;
    try {
      secrets.register(decodeURIComponent(new URL(url).password));
    } catch {
      // Not a URL: undici reports it when connecting.
    }
  }
  return proxy.httpProxy || proxy.httpsProxy ? proxy : undefined;
}

/** The config of a run: its sources merged in order, later keys winning. */
async function loadConfig(sources: readonly ConfigSource[], env: CliEnvironment): Promise<Raw> {
  let merged: Raw = {};
  for (const source of sources) {
    const raw = source.kind === 'env' ? readConfigEnv(env.env) : source.kind === 'stdin' ? await readConfigFile('-', env.stdin?.()) : await readConfigFile(source.path);
    merged = { ...merged, ...raw };
  }
  return merged;
}

type ConfiguredInvocation = Extract<Invocation, { configSources: ConfigSource[] }>;

function createPersistHook(invocation: ConfiguredInvocation, raw: { current: Raw }, out: MessageWriter, logger: Logger, config: TapConfig) {
  return async (changes: Raw): Promise<void> => {
    raw.current = mergeConfigChanges(raw.current, changes);
    for (const value of Object.values(changes)) if (typeof value === 'string') secrets.register(value);
    const update = invocation.protocol.encodeConfigUpdate(raw.current);
    if (update !== undefined) {
      await out.write(update);
      logger.info(`Sent the updated config (${Object.keys(changes).join(', ')}) to the platform.`);
      return;
    }
    const files = invocation.configSources.flatMap((s) => (s.kind === 'file' ? [s.path] : []));
    if (!config.persistRotatedRefreshToken) {
      logger.warn('Salesforce rotated the refresh token; `persist_rotated_refresh_token` is off, so the config file keeps the old one and the next run may fail to log in.');
    } else if (invocation.configSources.length === 1 && invocation.configSources[0]!.kind === 'stdin') {
      logger.warn('Salesforce rotated the refresh token, but the config came from stdin; it is not saved. Keep the config in a file to have it saved.');
    } else if (files.length !== 1 || invocation.configSources.length !== 1) {
      logger.warn('Salesforce rotated the refresh token, but the config comes from several sources; it is not saved. Keep the config in one file to have it saved.');
    } else {
      await writeConfigFileAtomic(files[0]!, raw.current);
      logger.info(`Saved the rotated refresh token to ${files[0]}.`);
    }
  };
}

async function runWithConfig(
  invocation: ConfiguredInvocation,
  rawConfig: Raw,
  env: CliEnvironment,
  out: MessageWriter,
  logger: Logger,
  progress: Progress,
): Promise<number> {
  const config = parseConfig(rawConfig);
  for (const warning of config.warnings) logger.warn(warning);
  const raw = { current: rawConfig };
  const persistConfig = createPersistHook(invocation, raw, out, logger, config);
  let connected: Promise<ConnectedClient> | undefined;
  const requestLog = invocation.protocol.encodeRequestLog;
  const ctx: CommandContext = {
    protocol: invocation.protocol,
    config,
    out,
    logger,
    signal: env.signal,
    debug: invocation.debug,
    persistConfig,
    progress,
    client: async (): Promise<SalesforceClient> => {
      if (connected === undefined) {
        const { auth } = config;
        logger.info(auth.type === 'access_token' ? `Using the access token for ${auth.instanceUrl}.` : `Logging in to ${auth.loginUrl} (${auth.type}).`);
      }
      // Loaded on demand: undici alone costs ~130 ms of start-up that spec and --about never need.
      const proxy = proxyFromEnv(env.env);
      connected ??= import('../salesforce/http/connect-client.js').then(({ connectSalesforce }) => connectSalesforce(config, {
        signal: env.signal,
        ...(proxy ? { proxy } : {}),
        onRefreshTokenRotated: (token) => persistConfig({ refresh_token: token }),
        userAgent: `${packageJson.name}/${packageJson.version}`,
        // The path only: query strings carry SOQL with customer values.
        onRetry: ({ attempt, delayMs, reason, url }) => logger.warn(`${new URL(url).pathname} failed (${reason}); retry ${attempt} in ${delayMs} ms.`),
        // Singer METRIC timers, as singer-python taps log them for Meltano.
        ...(requestLog ? { onRequest: (request: Parameters<typeof requestLog>[0]) => logger.info(requestLog(request)) } : {}),
      }));
      return (await connected).client;
    },
  };
  try {
    switch (invocation.command) {
      case 'check':
        return await (await import('../commands/check.js')).runCheck(ctx);
      case 'discover':
        await (await import('../commands/discover.js')).runDiscover(ctx);
        return 0;
      case 'read': {
        const options: { catalogPath?: string; statePath?: string; follow?: boolean } = {};
        if (invocation.catalogPath !== undefined) options.catalogPath = invocation.catalogPath;
        if (invocation.statePath !== undefined) options.statePath = invocation.statePath;
        if ('follow' in invocation && invocation.follow) options.follow = true;
        return await (await import('../commands/read.js')).runRead(ctx, options);
      }
    }
    throw new TapError('TAP_INTERNAL', `Unknown command ${String((invocation as { command: unknown }).command)}`);
  } finally {
    if (connected) await connected.then((c) => c.close(), () => undefined);
  }
}

function reportError(error: TapError, protocol: ProtocolAdapter, out: MessageWriter, logger: Logger, debug: boolean): Promise<void> | undefined {
  const withStack = debug || error.kind === 'internal';
  logger.error(`${error.message} [${error.code}]`);
  if (error.detail !== undefined) logger.debug(`Detail: ${error.detail}`);
  if (withStack) logger.error(secrets.describeError(error, true));
  const trace = error.kind === 'output_closed' ? undefined : protocol.encodeErrorTrace(error, { withStack });
  return trace === undefined ? undefined : out.write(trace);
}

/** Runs one invocation; resolves to the exit code. Never throws. */
export async function runCli(argv: string[], env: CliEnvironment): Promise<number> {
  const wantsDebug = argv.includes('--debug') || env.env.TAP_SALESFORCE_DEBUG === '1' || env.env.TAP_SALESFORCE_DEBUG === 'true';
  const quiet = argv.includes('--quiet');
  const progress = createProgress({
    mode: quiet ? 'off' : progressMode(env),
    ...(env.stderrTty ? { stderr: env.stderrTty } : {}),
    log: (message) => logger.info(message),
  });
  const logger = createLogger({
    level: wantsDebug ? 'debug' : quiet ? 'warn' : (parseLogLevel(env.env.TAP_SALESFORCE_LOG_LEVEL) ?? 'info'),
    // Log lines go above the live progress lines, never through them.
    write: (text) => progress.interleave(() => env.writeStderr(text)),
  });
  env.signal.addEventListener('abort', () => logger.warn(`Received ${env.signal.reason instanceof Error ? env.signal.reason.message : 'a signal'}; stopping.`), { once: true });
  const out = new StreamLineWriter(env.stdout);
  const protocol = chooseProtocol(argv);
  let invocation: Invocation | undefined;
  let exitCode: number;
  try {
    invocation = parseArgs(argv);
    const debug = invocation.debug || wantsDebug;
    invocation = { ...invocation, debug };
    exitCode = await dispatch(invocation, env, out, logger, progress);
    await out.flush();
  } catch (caught) {
    const error = env.signal.aborted && !(caught instanceof TapError && caught.kind === 'output_closed')
      ? new TapError('TAP_INTERRUPTED', 'The run was interrupted.', { kind: 'interrupted', cause: caught })
      : toTapError(caught);
    exitCode = error.exitCode;
    try {
      await reportError(error, invocation?.protocol ?? protocol, out, logger, invocation?.debug ?? wantsDebug);
      await out.flush();
    } catch {
      // stdout is gone: the stderr line above is all we can do.
      if (error.kind !== 'output_closed') exitCode = ERROR_KINDS.output_closed.exitCode;
    }
  }
  progress.close();
  return exitCode;
}

/** Live lines on a terminal, periodic summaries elsewhere; TAP_SALESFORCE_PROGRESS=tty|log|off decides. */
function progressMode(env: CliEnvironment): ProgressMode {
  const chosen = env.env.TAP_SALESFORCE_PROGRESS;
  if (chosen === 'tty' || chosen === 'log' || chosen === 'off') return chosen === 'tty' && !env.stderrTty ? 'log' : chosen;
  // CI services set CI (true, 1, or a name); a terminal there is emulated and its redraws clutter the log.
  const ci = env.env.CI !== undefined && !['', '0', 'false'].includes(env.env.CI.toLowerCase());
  return env.stderrTty && !ci && env.env.TERM !== 'dumb' ? 'tty' : 'log';
}

/** Opens a URL in the desktop's browser; silently does nothing where there is none. */
function openBrowser(url: string): void {
  const command = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  try {
    const child = spawn(command, [url], { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
  } catch {
    // No browser here: the URL is printed for the user to open.
  }
}

async function runAuthLoginCommand(login: AuthLoginArguments, env: CliEnvironment): Promise<number> {
  const clientSecret = login.clientSecret ?? env.env.TAP_SALESFORCE_CLIENT_SECRET;
  const proxy = proxyFromEnv(env.env);
  const requester = createBaseRequester({ connections: 2, connectTimeoutMs: DEFAULTS.connectTimeoutMs, idleTimeoutMs: 60_000, ...(proxy ? { proxy } : {}) });
  try {
    const { openBrowser: wantsBrowser, ...options } = login;
    return await runAuthLogin(
      { ...options, ...(clientSecret ? { clientSecret } : {}) },
      {
        send: requester.send,
        // Not a log line: the URL must show whatever the log level, without a prefix to copy around.
        show: (text) => env.writeStderr(`${secrets.redact(text)}\n`),
        openBrowser: (url) => {
          if (wantsBrowser && process.stderr.isTTY) openBrowser(url);
        },
        signal: env.signal,
      },
    );
  } finally {
    await requester.close();
  }
}

async function dispatch(invocation: Invocation, env: CliEnvironment, out: MessageWriter, logger: Logger, progress: Progress): Promise<number> {
  switch (invocation.command) {
    case 'spec':
      await runSpec(out);
      return 0;
    case 'help':
      env.writeStderr(USAGE);
      return 0;
    case 'version':
      await out.write(`${packageJson.name} ${packageJson.version}\n`);
      return 0;
    case 'about': {
      const about = buildAbout();
      await out.write(invocation.format === 'json' ? `${JSON.stringify(about, null, 2)}\n` : renderAboutMarkdown(about));
      return 0;
    }
    case 'auth-login':
      return runAuthLoginCommand(invocation.login, env);
    default:
      break;
  }
  let rawConfig: Raw;
  try {
    rawConfig = await loadConfig(invocation.configSources, env);
    if (invocation.command === 'check') parseConfig(rawConfig);
  } catch (caught) {
    const error = toTapError(caught);
    // Airbyte check answers a config problem with FAILED and exit 0, like every other user problem.
    const status = invocation.command === 'check' && error.kind === 'config' ? invocation.protocol.encodeConnectionStatus('FAILED', error.message) : undefined;
    if (status !== undefined) {
      logger.error(`${error.message} [${error.code}]`);
      await out.write(status);
      return 0;
    }
    throw error;
  }
  return runWithConfig(invocation, rawConfig, env, out, logger, progress);
}
