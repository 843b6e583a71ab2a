/**
 * The command line of both protocols, told apart by the first argument:
 * - Airbyte: `spec | check --config F | discover --config F | read --config F --catalog F [--state F]`
 * - Singer: `--config F [--config F2 | --config ENV] [--discover] [--catalog F | --properties F]
 *   [--state F]`, `--about [--format json|markdown]`, `--test`, `--version`.
 * Pure: argv in, an Invocation out (or a ConfigError naming the problem).
 */
import yargs from 'yargs';
import { ConfigError } from '../core/errors.js';

export type Invocation =
  | { protocol: 'airbyte'; command: 'spec'; debug: boolean }
  | { protocol: 'airbyte'; command: 'check' | 'discover'; configPath: string; debug: boolean }
  | { protocol: 'airbyte'; command: 'read'; configPath: string; catalogPath: string; statePath?: string; debug: boolean }
  | { protocol: 'singer'; command: 'about'; format: 'json' | 'markdown'; debug: boolean }
  | { protocol: 'singer'; command: 'version'; debug: boolean }
  | { protocol: 'singer'; command: 'help'; debug: boolean }
  | { protocol: 'singer'; command: 'check' | 'discover'; configSources: string[]; debug: boolean }
  | { protocol: 'singer'; command: 'read'; configSources: string[]; catalogPath?: string; statePath?: string; debug: boolean }
  | { protocol: 'singer'; command: 'auth-login'; login: AuthLoginArguments; debug: boolean };

/** `auth login` flags; the client secret may also come from TAP_SALESFORCE_CLIENT_SECRET. */
export interface AuthLoginArguments {
  clientId: string;
  clientSecret?: string;
  sandbox: boolean;
  loginUrl?: string;
  redirectUri: string;
  scopes: string;
  configOut: string;
  force: boolean;
  timeoutSeconds: number;
  openBrowser: boolean;
}

/** The Salesforce CLI's callback URL: many connected apps already list it. */
export const DEFAULT_REDIRECT_URI = 'http://localhost:1717/OauthRedirect';

export const AIRBYTE_COMMANDS = ['spec', 'check', 'discover', 'read'] as const;

export const USAGE = `Usage:
  Airbyte:  tap-salesforce spec
            tap-salesforce check    --config CONFIG
            tap-salesforce discover --config CONFIG
            tap-salesforce read     --config CONFIG --catalog CATALOG [--state STATE]
  Singer:   tap-salesforce --config CONFIG [--config CONFIG2|ENV] [--discover]
                           [--catalog CATALOG | --properties CATALOG] [--state STATE]
            tap-salesforce --config CONFIG --test
            tap-salesforce --about [--format json|markdown]
            tap-salesforce --version
  Tools:    tap-salesforce auth login --client-id ID [--client-secret S] [--sandbox | --login-url URL]
                           [--redirect-uri ${DEFAULT_REDIRECT_URI}] [--config-out FILE] [--force] [--no-browser]
  Options:  --debug  log at debug level and show redacted stack traces
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

function single(value: unknown, flag: string): string | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : [value];
  if (list.length > 1) throw argumentError(`--${flag} was given ${list.length} times`);
  const text = String(list[0]);
  if (text === '' || text === 'true') throw argumentError(`--${flag} needs a file path`);
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
    .parseSync();
  if (args._.length > 0) throw argumentError(`Unexpected argument \`${String(args._[0])}\``);
  const debug = args.debug === true;
  if (command === 'spec') return { protocol: 'airbyte', command, debug };
  const configPath = required(args.config, 'config', command);
  if (command === 'check' || command === 'discover') return { protocol: 'airbyte', command, configPath, debug };
  const catalogPath = required(args.catalog, 'catalog', command);
  const statePath = single(args.state, 'state');
  return statePath === undefined
    ? { protocol: 'airbyte', command, configPath, catalogPath, debug }
    : { protocol: 'airbyte', command, configPath, catalogPath, statePath, debug };
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
    .parseSync();
  const debug = args.debug === true;
  if (args._.length > 0) throw argumentError(`Unexpected argument \`${String(args._[0])}\``);
  if (args.help) return { protocol: 'singer', command: 'help', debug };
  if (args.version) return { protocol: 'singer', command: 'version', debug };
  if (args.about) return { protocol: 'singer', command: 'about', format: args.format === 'json' ? 'json' : 'markdown', debug };
  const configSources = (args.config ?? []).map(String).filter((s) => s !== '');
  if (configSources.length === 0) throw argumentError('--config is required');
  if (args.test !== undefined) return { protocol: 'singer', command: 'check', configSources, debug };
  const catalog = single(args.catalog, 'catalog');
  const properties = single(args.properties, 'properties');
  if (catalog !== undefined && properties !== undefined && catalog !== properties) {
    throw argumentError('Give either --catalog or --properties, not both');
  }
  if (args.discover) return { protocol: 'singer', command: 'discover', configSources, debug };
  const invocation: Invocation = { protocol: 'singer', command: 'read', configSources, debug };
  const catalogPath = catalog ?? properties;
  if (catalogPath !== undefined) invocation.catalogPath = catalogPath;
  const statePath = single(args.state, 'state');
  if (statePath !== undefined) invocation.statePath = statePath;
  return invocation;
}

function parseAuthLogin(rest: string[]): Invocation {
  const args = parser(rest)
    .option('client-id', { type: 'string' })
    .option('client-secret', { type: 'string' })
    .option('sandbox', { type: 'boolean', default: false })
    .option('login-url', { type: 'string' })
    .option('redirect-uri', { type: 'string', default: DEFAULT_REDIRECT_URI })
    .option('scopes', { type: 'string', default: 'api refresh_token offline_access' })
    .option('config-out', { type: 'string', default: 'tap-salesforce.config.json' })
    .option('force', { type: 'boolean', default: false })
    .option('timeout', { type: 'number', default: 300 })
    .option('browser', { type: 'boolean', default: true })
    .option('debug', { type: 'boolean', default: false })
    .parseSync();
  if (args._.length > 0) throw argumentError(`Unexpected argument \`${String(args._[0])}\``);
  const clientId = required(args['client-id'], 'client-id', 'auth login');
  if (args.sandbox && args['login-url'] !== undefined) throw argumentError('Give either --sandbox or --login-url, not both');
  const timeout = Number(args.timeout);
  if (!Number.isFinite(timeout) || timeout <= 0) throw argumentError('--timeout needs a number of seconds');
  const login: AuthLoginArguments = {
    clientId,
    sandbox: args.sandbox === true,
    redirectUri: String(args['redirect-uri']),
    scopes: String(args.scopes),
    configOut: required(args['config-out'], 'config-out', 'auth login'),
    force: args.force === true,
    timeoutSeconds: timeout,
    openBrowser: args.browser !== false,
  };
  const secret = single(args['client-secret'], 'client-secret');
  if (secret !== undefined) login.clientSecret = secret;
  const loginUrl = single(args['login-url'], 'login-url');
  if (loginUrl !== undefined) login.loginUrl = loginUrl;
  return { protocol: 'singer', command: 'auth-login', login, debug: args.debug === true };
}

export function parseArgs(argv: string[]): Invocation {
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
