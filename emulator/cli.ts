#!/usr/bin/env node
/**
 * Runs the emulator in the foreground: `npm run emulator -- --records 100000 --latency-ms 20`.
 * Prints exactly one JSON line on stdout once every listener is up (URLs, credentials and a
 * ready tap config), then serves until SIGTERM or SIGINT.
 */
import { parseArgs } from 'node:util';
import { startEmulator, type EmulatorOptions, type EmulatorSettings } from './index.js';

const USAGE = `Usage: emulator [options]
  --port N                 My Domain / instance port (default: a free one)
  --login-port N           login host port
  --sandbox-port N         sandbox login host port
  --records N              Account rows; other objects scale from it (default 1000)
  --seed N                 generator seed (default 1)
  --extra-objects N        N more custom objects (Generated_0001__c, ...), for discovery at scale
  --profile instant|realistic  instant (default) answers at once; realistic takes Salesforce's
                           time and caps (see README); the flags below override single knobs
  --latency-ms N           delay before every response
  --rest-latency-ms N      extra latency of every REST data call (query pages, describes, composite)
  --bandwidth N            per-connection bandwidth cap in bytes/s
  --bulk-job-delay-ms N    a Bulk query job's start latency (default 200)
  --bulk-scan-rows-per-sec N  rows a Bulk query job scans per second (default 0 = no scan time)
  --bulk-concurrent-jobs N Bulk query jobs processed at once; later ones wait (default 0 = no limit)
  --composite-batch-one-call  count a composite batch as one API call, not one per subrequest
  --no-gzip                ignore Accept-Encoding: gzip
  --bulk-default-page-rows N  rows per Bulk results page when the client sends no maxRecords
  --bulk-result-page-rows N   rows behind each resultUrl of a job's resultPages (default 50000)
  --daily-api-limit N      DailyApiRequests Max (default 15000)
  --session-ttl-seconds N  session inactivity timeout (default 7200)
  --bulk-nulls empty|quoted  how Bulk CSV writes null
  --bulk-result-cache-mb N serve the same Bulk result page again from a cache of N MB (default 0 = off)
  --bulk-result-spool-mb N render Bulk query results while the job runs, holding up to N MB
                           (realistic profile: 512; default 0 = render when downloaded)
  --cdc-objects LIST       objects selected for Change Data Capture: Account,Contact or *
  --pubsub-port N          Pub/Sub API (gRPC) port (default: a free one)
  --pubsub-tls             serve the Pub/Sub API over TLS too, with a self-signed certificate made
                           at start (ready line: pubsub_tls_url, pubsub_tls_ca_file)
  --pubsub-tls-port N      port of that TLS listener (default: a free one)
  --rotate-refresh-tokens  issue a new refresh token with every refresh
  --no-password-flow       block the username-password OAuth flow
  --no-soap-login          switch SOAP login() off
  --help`;

function integer(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`Expected \`--${name}\` to be a non-negative integer, got ${JSON.stringify(value)}`);
  return n;
}

function cdcObjects(value: string | undefined): string[] | '*' | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === '*') return '*';
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.some((n) => !/^[A-Za-z][A-Za-z0-9_]*$/.test(n))) throw new Error(`Expected \`--cdc-objects\` to be object names separated by commas, or *, got ${JSON.stringify(value)}`);
  return names;
}

function parseOptions(argv: string[]): EmulatorOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' },
      'login-port': { type: 'string' },
      'sandbox-port': { type: 'string' },
      records: { type: 'string' },
      'extra-objects': { type: 'string' },
      seed: { type: 'string' },
      'latency-ms': { type: 'string' },
      profile: { type: 'string' },
      'rest-latency-ms': { type: 'string' },
      'bulk-scan-rows-per-sec': { type: 'string' },
      'bulk-concurrent-jobs': { type: 'string' },
      'composite-batch-one-call': { type: 'boolean' },
      'no-gzip': { type: 'boolean' },
      bandwidth: { type: 'string' },
      'bulk-job-delay-ms': { type: 'string' },
      'bulk-default-page-rows': { type: 'string' },
      'bulk-result-page-rows': { type: 'string' },
      'daily-api-limit': { type: 'string' },
      'session-ttl-seconds': { type: 'string' },
      'bulk-nulls': { type: 'string' },
      'bulk-result-cache-mb': { type: 'string' },
      'bulk-result-spool-mb': { type: 'string' },
      'cdc-objects': { type: 'string' },
      'pubsub-port': { type: 'string' },
      'pubsub-tls': { type: 'boolean' },
      'pubsub-tls-port': { type: 'string' },
      'rotate-refresh-tokens': { type: 'boolean' },
      'no-password-flow': { type: 'boolean' },
      'no-soap-login': { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return 'help';
  const settings: Partial<EmulatorSettings> = {};
  const set = <K extends keyof EmulatorSettings>(key: K, value: EmulatorSettings[K] | undefined) => {
    if (value !== undefined) settings[key] = value;
  };
  set('latencyMs', integer('latency-ms', values['latency-ms']));
  set('bandwidthBytesPerSec', integer('bandwidth', values.bandwidth));
  set('bulkJobDelayMs', integer('bulk-job-delay-ms', values['bulk-job-delay-ms']));
  set('restCallLatencyMs', integer('rest-latency-ms', values['rest-latency-ms']));
  set('bulkScanRowsPerSec', integer('bulk-scan-rows-per-sec', values['bulk-scan-rows-per-sec']));
  set('bulkConcurrentJobs', integer('bulk-concurrent-jobs', values['bulk-concurrent-jobs']));
  if (values['composite-batch-one-call']) settings.compositeBatchCountsAsOneCall = true;
  if (values['no-gzip']) settings.gzip = false;
  const profile = values.profile;
  if (profile !== undefined && profile !== 'instant' && profile !== 'realistic') {
    throw new Error(`Expected \`--profile\` to be instant or realistic, got ${JSON.stringify(profile)}`);
  }
  set('bulkDefaultPageRows', integer('bulk-default-page-rows', values['bulk-default-page-rows']));
  set('bulkResultPageRows', integer('bulk-result-page-rows', values['bulk-result-page-rows']));
  set('dailyApiLimit', integer('daily-api-limit', values['daily-api-limit']));
  set('sessionTtlSeconds', integer('session-ttl-seconds', values['session-ttl-seconds']));
  set('bulkResultCacheMb', integer('bulk-result-cache-mb', values['bulk-result-cache-mb']));
  set('bulkResultSpoolMb', integer('bulk-result-spool-mb', values['bulk-result-spool-mb']));
  const nulls = values['bulk-nulls'];
  if (nulls !== undefined && nulls !== 'empty' && nulls !== 'quoted') {
    throw new Error(`Expected \`--bulk-nulls\` to be empty or quoted, got ${JSON.stringify(nulls)}`);
  }
  set('bulkNullRendering', nulls);
  if (values['rotate-refresh-tokens']) settings.rotateRefreshTokens = true;
  if (values['no-password-flow']) settings.passwordFlowEnabled = false;
  if (values['no-soap-login']) settings.soapLoginEnabled = false;
  return {
    port: integer('port', values.port),
    loginPort: integer('login-port', values['login-port']),
    sandboxPort: integer('sandbox-port', values['sandbox-port']),
    records: integer('records', values.records),
    extraObjects: integer('extra-objects', values['extra-objects']),
    seed: integer('seed', values.seed),
    profile,
    pubsubPort: integer('pubsub-port', values['pubsub-port']),
    pubsubTls: values['pubsub-tls'] === true,
    pubsubTlsPort: integer('pubsub-tls-port', values['pubsub-tls-port']),
    cdcObjects: cdcObjects(values['cdc-objects']),
    settings,
  };
}

async function main(): Promise<void> {
  let options: EmulatorOptions | 'help';
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const emulator = await startEmulator(options);
  const c = emulator.credentials;
  process.stdout.write(
    `${JSON.stringify({
      login_url: emulator.loginUrl,
      sandbox_login_url: emulator.sandboxLoginUrl,
      my_domain_url: emulator.myDomainUrl,
      instance_url: emulator.instanceUrl,
      pubsub_url: emulator.pubsub.url,
      ...(emulator.pubsub.tls ? { pubsub_tls_url: emulator.pubsub.tls.url, pubsub_tls_ca_file: emulator.pubsub.tls.caFile } : {}),
      client_id: c.clientId,
      client_secret: c.clientSecret,
      username: c.username,
      password: c.password,
      security_token: c.securityToken,
      refresh_token: c.refreshToken,
      private_key: c.privateKeyPem,
      tap_config: emulator.tapConfig('password'),
    })}\n`,
  );
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    void emulator.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

await main();
