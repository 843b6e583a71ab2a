/**
 * The command line of both protocols, told apart by the first argument:
 * - Airbyte: `spec | check --config F | discover --config F | read --config F --catalog F [--state F]`
 * - Singer: `--config F [--config F2 | --config ENV] [--discover] [--catalog F | --properties F]
 *   [--state F]`, `--about [--format json|markdown]`, `--test`, `--version`.
 * Pure: argv in, an Invocation out (or a ConfigError naming the problem).
 */
import yargs from 'yargs';
import type { AuthLoginOptions } from '../commands/auth-login.js';
import { ConfigError } from '../core/errors.js';
import type { ConfigSource, ProtocolAdapter } from '../protocol/adapter.js';
import { airbyteProtocol } from '../protocol/airbyte/adapter.js';
import { singerProtocol } from '../protocol/singer/adapter.js';

/** Every invocation: the protocol its output speaks, and whether to log at debug level. */
interface Base {
  protocol: ProtocolAdapter;
  debug: boolean;
}

export type Invocation = Base &
  (
    | { command: 'spec' | 'version' | 'help' }
    | { command: 'about'; format: 'json' | 'markdown' }
    | { command: 'check' | 'discover'; configSources: ConfigSource[] }
    | { command: 'read'; configSources: ConfigSource[]; catalogPath?: string; statePath?: string; follow?: boolean }
    | { command: 'auth-login'; login: AuthLoginArguments }
  );

/** `auth login` flags: the command's options, and whether to open a browser. The client secret may also come from TAP_SALESFORCE_CLIENT_SECRET. */
export interface AuthLoginArguments extends AuthLoginOptions {
  openBrowser: boolean;
}

/**
 * Salesforce matches the callback URL exactly, port included, so the default port is fixed: the
 * connected app lists http://127.0.0.1:8976/callback once and every login uses it.
 */
export const DEFAULT_CALLBACK_PORT = 8976;
export const DEFAULT_SCOPES = 'api refresh_token';

export const AIRBYTE_COMMANDS = ['spec', 'check', 'discover', 'read'] as const;

/**
 * The protocol of a command line, known before it is parsed so that even an argument error is
 * reported in it: a command word speaks Airbyte, flags speak Singer, `auth login` is a tool
 * that writes nothing on stdout.
 */
export function chooseProtocol(argv: readonly string[]): ProtocolAdapter {
  const first = argv[0];
  return first !== undefined && first !== 'auth' && !first.startsWith('-') ? airbyteProtocol : singerProtocol;
}

export const USAGE = `Usage:
  Airbyte:  tap-salesforce spec
            tap-salesforce check    --config CONFIG
            tap-salesforce discover --config CONFIG
            tap-salesforce read     --config CONFIG --catalog CATALOG [--state STATE]
  Singer:   tap-salesforce --config CONFIG [--config CONFIG2|ENV] [--discover]
                           [--catalog CATALOG | --properties CATALOG] [--state STATE] [--follow]
            tap-salesforce --config CONFIG --test
            tap-salesforce --about [--format json|markdown]
            tap-salesforce --version
  Tools:    tap-salesforce auth login --client-id ID [--client-secret S] [--sandbox | --login-url URL]
                           [--port ${DEFAULT_CALLBACK_PORT} | --redirect-uri URL] [--scopes "${DEFAULT_SCOPES}"]
                           [--config-out FILE] [--force] [--no-browser] [--timeout SECONDS]
  Options:  --debug  log at debug level and show redacted stack traces
            --quiet  no progress display; only warnings and errors on stderr
            --follow change event (LOG_BASED) streams keep streaming until interrupted
`;

function argumentError(message: string): ConfigError {
  return new ConfigError('TAP_ARGUMENTS_INVALID', `${message}. Run \`tap-salesforce --help\` for usage.`);
}

function parser(argv: string[]) {
  return yargs(argv)
    .exitProcess(false)
    .help(false)
    .version(false)
    .strict()
    .parserConfiguration({ 'camel-case-expansion': false, 'duplicate-arguments-array': true })
    .fail((message: string | undefined, error: Error | undefined) => {
      // yargs spreads some messages over lines ("Invalid values:\n  Argument: ..."): one line.
      throw argumentError((message ?? error?.message ?? 'Invalid arguments').replace(/:?\s*\n\s*/g, ': ').trim());
    });
}

function single(value: unknown, flag: string, what = 'file path'): string | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length > 1) throw argumentError(`--${flag} was given ${list.length} times`);
  const text = String(list[0]);
  if (text === '' || text === 'true') throw argumentError(`--${flag} needs a ${what}`);
  return text;
}

function required(value: unknown, flag: string, command: string): string {
  const text = single(value, flag);
  if (text === undefined) throw argumentError(`\`${command}\` needs --${flag}`);
  return text;
}

function parseAirbyte(command: (typeof AIRBYTE_COMMANDS)[number], rest: string[]): Invocation {
  const args = parser(rest)
    .option('config', { type: 'string' })
    .option('catalog', { type: 'string' })
    .option('state', { type: 'string' })
    .option('debug', { type: 'boolean', default: false })
    // Read by runCli before parsing, like --debug: it sets the log level.
    .option('quiet', { type: 'boolean' })
    .parseSync();
  if (args._.length > 0) throw argumentError(`Unexpected argument \`${String(args._[0])}\``);
  const debug = args.debug === true;
  const protocol = airbyteProtocol;
  if (command === 'spec') return { protocol, command, debug };
  const configSources = protocol.configSources([required(args.config, 'config', command)]);
  if (command === 'check' || command === 'discover') return { protocol, command, configSources, debug };
  const catalogPath = required(args.catalog, 'catalog', command);
  const statePath = single(args.state, 'state');
  return statePath === undefined
    ? { protocol, command, configSources, catalogPath, debug }
    : { protocol, command, configSources, catalogPath, statePath, debug };
}

function parseSinger(argv: string[]): Invocation {
  const args = parser(argv)
    .option('config', { type: 'string', array: true })
    .option('discover', { type: 'boolean' })
    .option('catalog', { type: 'string' })
    .option('properties', { type: 'string' })
    .option('state', { type: 'string' })
    .option('about', { type: 'boolean' })
    .option('format', { type: 'string', choices: ['json', 'markdown'] })
    .option('test', { type: 'string' })
    .option('version', { type: 'boolean' })
    .option('help', { type: 'boolean', alias: 'h' })
    .option('debug', { type: 'boolean', default: false })
    .option('quiet', { type: 'boolean' })
    .option('follow', { type: 'boolean' })
    .parseSync();
  const debug = args.debug === true;
  const protocol = singerProtocol;
  if (args._.length > 0) throw argumentError(`Unexpected argument \`${String(args._[0])}\``);
  if (args.help) return { protocol, command: 'help', debug };
  if (args.version) return { protocol, command: 'version', debug };
  if (args.about) return { protocol, command: 'about', format: args.format === 'json' ? 'json' : 'markdown', debug };
  const configValues = (args.config ?? []).map(String).filter((s) => s !== '');
  if (configValues.length === 0) throw argumentError('--config is required');
  const configSources = protocol.configSources(configValues);
  if (args.test !== undefined) return { protocol, command: 'check', configSources, debug };
  const catalog = single(args.catalog, 'catalog');
  const properties = single(args.properties, 'properties');
  if (catalog !== undefined && properties !== undefined && catalog !== properties) {
    throw argumentError('Give either --catalog or --properties, not both');
  }
  if (args.discover) return { protocol, command: 'discover', configSources, debug };
  const invocation: Invocation = { protocol, command: 'read', configSources, debug };
  const catalogPath = catalog ?? properties;
  if (catalogPath !== undefined) invocation.catalogPath = catalogPath;
  const statePath = single(args.state, 'state');
  if (statePath !== undefined) invocation.statePath = statePath;
  // Change event streams keep streaming until interrupted.
  if (args.follow) invocation.follow = true;
  return invocation;
}

function parseAuthLogin(rest: string[]): Invocation {
  const args = parser(rest)
    .option('client-id', { type: 'string' })
    .option('client-secret', { type: 'string' })
    .option('sandbox', { type: 'boolean', default: false })
    .option('login-url', { type: 'string' })
    .option('port', { type: 'string' })
    .option('redirect-uri', { type: 'string' })
    .option('scopes', { type: 'string', default: DEFAULT_SCOPES })
    .option('config-out', { type: 'string', default: 'tap-salesforce.config.json' })
    .option('force', { type: 'boolean', default: false })
    .option('timeout', { type: 'number', default: 300 })
    .option('browser', { type: 'boolean', default: true })
    .option('debug', { type: 'boolean', default: false })
    .option('help', { type: 'boolean', alias: 'h' })
    .parseSync();
  if (args._.length > 0) throw argumentError(`Unexpected argument \`${String(args._[0])}\``);
  if (args.help) return { protocol: singerProtocol, command: 'help', debug: args.debug === true };
  const clientId = required(args['client-id'], 'client-id', 'auth login');
  if (args.sandbox && args['login-url'] !== undefined) throw argumentError('Give either --sandbox or --login-url, not both');
  if (args.port !== undefined && args['redirect-uri'] !== undefined) throw argumentError('Give either --port or --redirect-uri, not both');
  const timeout = Number(args.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw argumentError('--timeout needs a number of seconds');
  const portText = single(args.port, 'port', 'port number');
  const port = portText === undefined ? DEFAULT_CALLBACK_PORT : Number(portText);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw argumentError(`Expected --port to be a port number from 0 to 65535, got \`${portText}\``);
  const login: AuthLoginArguments = {
    clientId,
    sandbox: args.sandbox === true,
    port,
    scopes: String(args.scopes),
    configOut: required(args['config-out'], 'config-out', 'auth login'),
    force: args.force === true,
    timeoutSeconds: timeout,
    openBrowser: args.browser !== false,
  };
  const redirectUri = single(args['redirect-uri'], 'redirect-uri', 'URL');
  if (redirectUri !== undefined) login.redirectUri = redirectUri;
  const secret = single(args['client-secret'], 'client-secret', 'value');
  if (secret !== undefined) login.clientSecret = secret;
  const loginUrl = single(args['login-url'], 'login-url', 'URL');
  if (loginUrl !== undefined) login.loginUrl = loginUrl;
  return { protocol: singerProtocol, command: 'auth-login', login, debug: args.debug === true };
}

/** `--config -` reads stdin; yargs takes a lone `-` for a positional, so it is joined to its flag. */
function joinStdinValues(argv: string[]): string[] {
  return argv.flatMap((arg, i) => (arg === '-' && argv[i - 1]?.startsWith('--') ? [] : argv[i + 1] === '-' && arg.startsWith('--') && !arg.includes('=') ? [`${arg}=-`] : [arg]));
}

export function parseArgs(input: string[]): Invocation {
  const argv = joinStdinValues(input);
  const first = argv[0];
  if (first === 'auth') {
    if (argv[1] !== 'login') throw argumentError(`Unknown command \`auth ${argv[1] ?? ''}\` (did you mean \`auth login\`?)`);
    return parseAuthLogin(argv.slice(2));
  }
  if (first !== undefined && (AIRBYTE_COMMANDS as readonly string[]).includes(first)) {
    return parseAirbyte(first as (typeof AIRBYTE_COMMANDS)[number], argv.slice(1));
  }
  if (first !== undefined && !first.startsWith('-')) throw argumentError(`Unknown command \`${first}\``);
  return parseSinger(argv);
}
