/**
 * The programmatic entry of the Salesforce emulator: an org (schema, seeded rows, SOQL) behind
 * Salesforce's wire APIs on loopback listeners — a login host, a sandbox login host and the
 * My Domain host that is also the instance every data call goes to.
 */
import type { Server } from 'node:http';
import type { EmulatedOrg } from './org/org.js';
import { immutableJsonReply } from './server/reply.js';
import type { FieldValue } from './org/types.js';
import { ApiUsage } from './server/api-usage.js';
import { BulkJobStore } from './server/bulk-jobs.js';
import { AsyncJobStore } from './server/bulk1/jobs.js';
import { BulkPageCache } from './server/bulk-page-cache.js';
import { BulkResultSpool } from './server/bulk-result-spool.js';
import { orgFromRecipe, type OrgRecipe } from './render/org-recipe.js';
import { RenderWorkers } from './render/render-workers.js';
import { buildCredentials, type CredentialOptions, type EmulatorCredentials } from './server/credentials.js';
import { FaultQueue } from './server/faults.js';
import { profileSettings, type ProfileName } from './server/profiles.js';
import { Journal } from './server/journal.js';
import { QueryCursorStore } from './server/query-cursors.js';
import { closeServer, listen } from './server/server.js';
import { SessionStore } from './server/sessions.js';
import { toId18 } from './server/ids.js';
import { startPubSub, type EmulatorPubSub } from './pubsub/index.js';
import { buildDefaultSettings, type EmulatorSettings } from './server/settings.js';
import type { EmulatorState } from './server/state.js';

export type { EmulatorSettings } from './server/settings.js';
export type { ProfileName } from './server/profiles.js';
export type { FaultRule, FaultAction, FaultQueue } from './server/faults.js';
export type { Journal, JournalEntry, JournalFilter } from './server/journal.js';
export type { EmulatorCredentials } from './server/credentials.js';
export type { EmulatorPubSub } from './pubsub/index.js';

export type TapAuthFlow = 'password' | 'oauth_refresh_token' | 'client_credentials' | 'jwt' | 'soap' | 'access_token';

export interface EmulatorOptions {
  /** Seed of the org's generator and of the credentials. Default 1. */
  seed?: number | undefined;
  /** Account rows; other objects scale from it. Default 1000. */
  records?: number | undefined;
  /** The org's clock. */
  now?: () => number;
  /** Port of the My Domain / instance listener; 0 (default) picks a free one. */
  port?: number | undefined;
  loginPort?: number | undefined;
  sandboxPort?: number | undefined;
  settings?: Partial<EmulatorSettings>;
  credentials?: CredentialOptions;
  /** Serve an org built elsewhere instead of creating one from seed/records. */
  org?: EmulatedOrg;
  /** Extra generated custom objects, for discovery at a big org's scale. Default 0. */
  extraObjects?: number | undefined;
  /**
   * `instant` (default): answers at once, for tests. `realistic`: Salesforce's clock and caps
   * (job start latency and scan rate, jobs at once, REST call latency, download bandwidth), see
   * the README's emulator section. `settings` override single knobs of either.
   */
  profile?: ProfileName | undefined;
  /** The clock Bulk jobs progress on (wall time by default); tests may drive it. */
  clock?: (() => number) | undefined;
  /** Objects selected for Change Data Capture (`['Account']` or '*'); default none. */
  cdcObjects?: string[] | '*' | undefined;
  /** Port of the Pub/Sub API gRPC listener; 0 (default) picks a free one. */
  pubsubPort?: number | undefined;
  /** Serve the Pub/Sub API over TLS too (self-signed certificate made at start): `pubsub.tls`. */
  pubsubTls?: boolean | undefined;
  pubsubTlsPort?: number | undefined;
}

export interface EmulatorMutations {
  create(sobject: string, fields: Record<string, FieldValue>): string;
  update(sobject: string, id: string, fields: Record<string, FieldValue>): void;
  delete(sobject: string, id: string): void;
  /** Restores a soft-deleted row (IsDeleted false, SystemModstamp advanced); publishes UNDELETE. Salesforce has no REST route for it. */
  undelete(sobject: string, id: string): void;
  /** Deletes the rows (if they are not) and purges them from the recycle bin at once. */
  hardDelete(sobject: string, ids: string[]): void;
  /** Purges deleted rows from the recycle bin: all, one object's, or the given ids; returns how many. */
  emptyRecycleBin(sobject?: string, ids?: string[]): number;
}

export interface Emulator {
  /** Production-style login host (`login.salesforce.com`). */
  loginUrl: string;
  /** Sandbox login host (`test.salesforce.com`). */
  sandboxLoginUrl: string;
  /** My Domain login host; the same listener as the instance. */
  myDomainUrl: string;
  instanceUrl: string;
  /** The Pub/Sub API (Change Data Capture): `pubsub.url` is `host:port`, plaintext on loopback; `pubsub.tls` the TLS listener. */
  pubsub: EmulatorPubSub;
  credentials: EmulatorCredentials;
  /** A ready tap config (flat Singer-style keys) for a login flow; default `password`. */
  tapConfig(flow?: TapAuthFlow): Record<string, string>;
  org: EmulatedOrg;
  mutate: EmulatorMutations;
  faults: FaultQueue;
  journal: Journal;
  /** Runtime knobs; change them at any time. */
  settings: EmulatorSettings;
  usage: ApiUsage;
  /** Ends every session now (next data call: 401 INVALID_SESSION_ID). */
  expireSessions(): void;
  /** Revokes every refresh token (next refresh: invalid_grant). */
  revokeRefreshTokens(): void;
  /** Issues an access token directly, as if some login had happened. */
  issueAccessToken(): string;
  close(): Promise<void>;
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const seed = options.seed ?? 1;
  const credentials = buildCredentials(seed, options.credentials);
  // Every login is this user: its User row carries the login name.
  const recipe: OrgRecipe = { seed, records: options.records ?? 1000, extraObjects: options.extraObjects ?? 0, username: credentials.username };
  const org = options.org ?? orgFromRecipe(recipe, options.now);
  if (options.org) org.setIntegrationUser(credentials.username);
  const settings: EmulatorSettings = { ...buildDefaultSettings(Date.now()), ...profileSettings(options.profile ?? 'instant'), ...options.settings };
  // Describes are built and serialized up front, as Salesforce serves them from cache: a
  // discovery benchmark then measures the client, not the emulator's first-time work.
  if (options.extraObjects) for (const entry of org.describeGlobal().sobjects) immutableJsonReply(200, org.describe(entry.name)!);
  const sessions = new SessionStore(org.orgId.slice(0, 15), () => settings.sessionTtlSeconds, Date.now);
  sessions.addRefreshToken(credentials.refreshToken);
  /** Started with the first job the spool renders; false where threads cannot run. */
  let renderWorkers: RenderWorkers | false | undefined;
  const state: EmulatorState = {
    org,
    settings,
    credentials,
    sessions,
    journal: new Journal(),
    faults: new FaultQueue(seed),
    usage: new ApiUsage(settings),
    bulk: new BulkJobStore(() => ({ concurrentJobs: settings.bulkConcurrentJobs, scanRowsPerSec: settings.bulkScanRowsPerSec }), options.clock ?? Date.now),
    asyncJobs: new AsyncJobStore(),
    bulkPages: new BulkPageCache(() => settings.bulkResultCacheMb * 1_048_576),
    bulkSpool: new BulkResultSpool({
      maxBytes: () => settings.bulkResultSpoolMb * 1_048_576,
      partRows: () => settings.bulkResultPageRows,
      revision: () => org.revision(),
      live: (job) => !job.aborted && state.bulk.get(job.id) === job,
      // Threads build their own org from the seed: only an org built here, on the wall clock.
      workers: options.org || options.now ? undefined : () => {
        renderWorkers ??= RenderWorkers.start(recipe) ?? false;
        return renderWorkers || undefined;
      },
    }),
    cursors: new QueryCursorStore(() => settings.queryCursorTtlMs),
    urls: { loginUrl: '', sandboxLoginUrl: '', instanceUrl: '' },
    orgNow: options.now ?? Date.now,
  };
  const servers: Server[] = [];
  try {
    const instance = await listen(state, 'instance', options.port ?? 0);
    servers.push(instance.server);
    const login = await listen(state, 'login', options.loginPort ?? 0);
    servers.push(login.server);
    const sandbox = await listen(state, 'sandbox', options.sandboxPort ?? 0);
    servers.push(sandbox.server);
    state.urls = { instanceUrl: instance.url, loginUrl: login.url, sandboxLoginUrl: sandbox.url };
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }
  const { urls } = state;
  let pubsub: EmulatorPubSub;
  try {
    pubsub = await startPubSub({
      org,
      cdcObjects: options.cdcObjects,
      port: options.pubsubPort,
      tls: options.pubsubTls,
      tlsPort: options.pubsubTlsPort,
      auth: { isValidToken: (token) => sessions.use(token) !== undefined, instanceUrl: () => urls.instanceUrl, tenantId: toId18(org.orgId) },
    });
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }

  const tapConfig = (flow: TapAuthFlow = 'password'): Record<string, string> => {
    switch (flow) {
      case 'password':
        return {
          auth_type: 'password',
          login_url: urls.loginUrl,
          client_id: credentials.clientId,
          client_secret: credentials.clientSecret,
          username: credentials.username,
          password: credentials.password,
          security_token: credentials.securityToken,
        };
      case 'oauth_refresh_token':
        return {
          auth_type: 'oauth_refresh_token',
          login_url: urls.loginUrl,
          client_id: credentials.clientId,
          client_secret: credentials.clientSecret,
          refresh_token: credentials.refreshToken,
        };
      case 'client_credentials':
        return {
          auth_type: 'client_credentials',
          login_url: urls.instanceUrl,
          client_id: credentials.clientId,
          client_secret: credentials.clientSecret,
        };
      case 'jwt':
        return {
          auth_type: 'jwt',
          login_url: urls.loginUrl,
          client_id: credentials.clientId,
          username: credentials.username,
          private_key: credentials.privateKeyPem ?? '',
        };
      case 'soap':
        return {
          auth_type: 'soap',
          login_url: urls.loginUrl,
          username: credentials.username,
          password: credentials.password,
          security_token: credentials.securityToken,
        };
      case 'access_token':
        return { auth_type: 'access_token', access_token: sessions.issue(org.userId, 'access_token').token, instance_url: urls.instanceUrl };
    }
  };

  return {
    loginUrl: urls.loginUrl,
    sandboxLoginUrl: urls.sandboxLoginUrl,
    myDomainUrl: urls.instanceUrl,
    instanceUrl: urls.instanceUrl,
    pubsub,
    credentials,
    tapConfig,
    org,
    mutate: {
      create: (sobject, fields) => org.create(sobject, fields).id,
      update: (sobject, id, fields) => org.update(sobject, id, fields),
      delete: (sobject, id) => org.delete(sobject, id),
      undelete: (sobject, id) => org.undelete(sobject, id),
      hardDelete: (sobject, ids) => org.hardDelete(sobject, ids),
      emptyRecycleBin: (sobject, ids) => org.emptyRecycleBin(sobject, ids),
    },
    faults: state.faults,
    journal: state.journal,
    settings,
    usage: state.usage,
    expireSessions: () => sessions.expireAll(),
    revokeRefreshTokens: () => sessions.revokeAllRefreshTokens(),
    issueAccessToken: () => sessions.issue(org.userId, 'access_token').token,
    close: async () => {
      await Promise.all([...servers.map(closeServer), pubsub.close()]);
      state.bulkSpool.clear();
      if (renderWorkers) await renderWorkers.close();
    },
  };
}
