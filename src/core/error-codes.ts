/**
 * Every error code the tap reports, as data: its usual kind (which decides the exit code and the
 * Airbyte failure_type through ERROR_KINDS), what the user should do, and the README section that
 * explains more. The README's troubleshooting table is generated from this registry, and a test
 * holds it against the codes the sources actually throw (test/unit/core/error-codes.test.ts).
 *
 * `TAP_…` codes are ours. `SF_…` codes carry Salesforce's own errorCode (`SF_${errorCode}`); only
 * those the tap gives advice for are listed, any other one is kind `salesforce` (or `transient`
 * for 5xx) and its message is Salesforce's own.
 */
import type { ErrorKind } from './errors.js';

export interface ErrorCodeInfo {
  code: string;
  kind: ErrorKind;
  /** What the user should do, in one or two sentences. */
  advice: string;
  /** The README section (anchor) that explains more. */
  docs: string;
}

type Entry = [kind: ErrorKind, advice: string, docs: string];

const AUTH = 'authentication';
const CONFIG = 'configuration-reference';
const FAULTS = 'what-happens-when-things-go-wrong';
const USAGE = 'usage';
const CUSTOM = 'custom-soql-streams';
const EXIT = 'exit-codes';

const ENTRIES: Readonly<Record<string, Entry>> = {
  // Arguments, config, catalog and state: the user fixes the input.
  TAP_ARGUMENTS_INVALID: ['config', 'The message names the argument and what it expects; `--help` lists them.', USAGE],
  TAP_CONFIG_UNREADABLE: ['config', 'The config file cannot be read: check its path and permissions.', CONFIG],
  TAP_CONFIG_EMPTY: ['config', 'The config file is empty: write the settings as a JSON object.', CONFIG],
  TAP_CONFIG_INVALID_JSON: ['config', 'The config file is not valid JSON: the message gives the position.', CONFIG],
  TAP_CONFIG_TOO_LARGE: ['config', 'The config is larger than any real one: the message gives the limit; pass the config file, not a data file.', CONFIG],
  TAP_CONFIG_TOO_DEEP: ['config', 'The config nests deeper than any real one: the message gives the limit.', CONFIG],
  TAP_CONFIG_INVALID: ['config', 'The message names the setting and what it expects.', CONFIG],
  TAP_CONFIG_DUPLICATE_KEY: ['config', 'The config file sets a key twice: keep the one you mean.', CONFIG],
  TAP_CONFIG_EXISTS: ['config', 'The config file exists already: pass `--force` to overwrite it, or another path.', AUTH],
  TAP_CONFIG_NOT_WRITABLE: ['config', 'The tap could not save a rotated refresh token or a new config: make the config file writable.', AUTH],
  TAP_CATALOG_UNREADABLE: ['config', 'The catalog file cannot be read: check its path and permissions.', USAGE],
  TAP_CATALOG_INVALID_JSON: ['config', 'The catalog file is not valid JSON.', USAGE],
  TAP_CATALOG_TOO_LARGE: ['config', 'The catalog is larger than the limit the message gives: select fewer streams or pass the right file.', USAGE],
  TAP_CATALOG_TOO_DEEP: ['config', 'The catalog nests deeper than any real one: the message gives the limit.', USAGE],
  TAP_CATALOG_INVALID: ['config', 'The catalog is not a catalog of this protocol: the message names the entry at fault. Run discover again.', USAGE],
  TAP_CATALOG_UNKNOWN_STREAM: ['config', 'The org changed since discovery (or the user lost access): run discover again.', USAGE],
  TAP_CATALOG_UNKNOWN_FIELD: ['config', 'The org changed since discovery (or the user lost access): run discover again.', USAGE],
  TAP_CATALOG_BAD_REPLICATION_METHOD: ['config', 'LOG_BASED (change events) needs an object with SystemModstamp: choose INCREMENTAL or FULL_TABLE for custom query streams.', USAGE],
  TAP_CATALOG_SCHEMA_UNSUPPORTED: ['config', "The catalog's schema changes a property in a way its values cannot follow: restore the discovered schema of that property, or deselect it.", USAGE],
  TAP_CATALOG_DUPLICATE_STREAM: ['config', 'The catalog lists a stream twice: keep one entry.', USAGE],
  TAP_CATALOG_BAD_REPLICATION_KEY: ['config', 'The cursor field chosen in the catalog is not a date or datetime field of the stream: pick one the catalog offers.', USAGE],
  TAP_STATE_UNREADABLE: ['config', 'The state file cannot be read: check its path and permissions.', USAGE],
  TAP_STATE_INVALID_JSON: ['config', 'The state file is not valid JSON: pass the last STATE the tap emitted, or none for a full sync.', USAGE],
  TAP_STATE_TOO_LARGE: ['config', 'The state is larger than the limit the message gives: pass the last STATE the tap emitted.', USAGE],
  TAP_STATE_TOO_DEEP: ['config', 'The state nests deeper than any real one: pass the last STATE the tap emitted.', USAGE],
  TAP_STATE_INVALID: ['config', 'The state is not a state of this protocol: the message names the entry at fault.', USAGE],
  TAP_CUSTOM_QUERY_INVALID: ['config', 'The message names the query and the clause to fix.', CUSTOM],
  TAP_CUSTOM_QUERY_NAME_TAKEN: ['config', 'A custom query has the name of an object stream: rename the query.', CUSTOM],
  TAP_CUSTOM_QUERY_UNKNOWN_OBJECT: ['config', 'The query reads an object the org (or this user) does not have: use its API name.', CUSTOM],
  TAP_CUSTOM_QUERY_UNKNOWN_FIELD: ['config', 'The message names the query and the field the object does not have.', CUSTOM],
  TAP_CUSTOM_QUERY_BAD_REPLICATION_KEY: ['config', 'The replication key must be a date or datetime field the query selects.', CUSTOM],
  TAP_CSV_DELIMITER: ['config', 'The CSV column delimiter must be one ASCII character other than a quote or a line break.', CONFIG],

  // Logging in.
  TAP_LOGIN_NO_ACCESS_TOKEN: ['salesforce', 'The login host answered without an access token: check `login_url` and any proxy in between.', AUTH],
  TAP_LOGIN_NO_INSTANCE_URL: ['salesforce', 'The login host answered without an instance URL: check `login_url`, or set `instance_url`.', AUTH],
  TAP_NO_REFRESH_TOKEN: ['auth', 'Salesforce issued no refresh token: add the "refresh_token, offline_access" scope to the connected app.', AUTH],
  TAP_OAUTH_NO_CODE: ['auth', 'The browser came back without an authorization code: approve the app when Salesforce asks.', AUTH],
  TAP_OAUTH_STATE_MISMATCH: ['auth', 'The browser came back from another login attempt: start `auth login` again.', AUTH],
  TAP_OAUTH_TIMEOUT: ['auth', 'Nobody approved the app in the browser in time: start `auth login` again.', AUTH],
  TAP_CALLBACK_PORT_BUSY: ['config', 'The callback port is taken by another program: pass another `--port` and add that callback URL to the app.', AUTH],
  SF_INVALID_GRANT: ['auth', 'Wrong username, password or security token, a revoked refresh token, or a blocked username-password flow: the message names the likely causes for your flow.', AUTH],
  SF_INVALID_CLIENT_ID: ['auth', 'The consumer key is unknown on this login host: wait 2–10 minutes after creating the app; check `is_sandbox` / `login_url`.', AUTH],
  SF_INVALID_CLIENT: ['auth', 'The client secret does not match the client id: copy the consumer secret again.', AUTH],
  SF_OAUTH_APPROVAL_ERROR_GENERIC: ['auth', 'The app is not installed or approved: install it, or grant "Approve Uninstalled Connected Apps" / "Use Any API Client".', AUTH],
  SF_INVALID_LOGIN: ['auth', 'SOAP login refused: check the password and the security token.', AUTH],
  SF_LOGIN_MUST_USE_SECURITY_TOKEN: ['auth', 'Set `security_token` (Settings → Reset My Security Token emails a new one).', AUTH],
  SF_UNSUPPORTED_API_VERSION: ['config', 'This API version is not available (SOAP `login()` is gone from API 65.0): set a current `api_version` or use another flow.', AUTH],
  SF_INVALID_SESSION_ID: ['auth', 'The session expired or was revoked and logging in again did not help: check that the user and the app are still active.', AUTH],
  SF_INVALID_AUTH_HEADER: ['auth', 'Salesforce refused the Authorization header: check `access_token` / `instance_url`.', AUTH],
  SF_API_DISABLED_FOR_ORG: ['auth', 'The API is not enabled for this org (Professional Edition needs the API add-on).', AUTH],
  SF_API_CURRENTLY_DISABLED: ['auth', 'Give the user the "API Enabled" permission in their profile or a permission set.', AUTH],

  // Salesforce refused a request.
  SF_INSUFFICIENT_ACCESS: ['salesforce', 'Give the user read access to the objects and "View Setup and Configuration".', AUTH],
  SF_INSUFFICIENT_ACCESS_OR_READONLY: ['salesforce', 'The user lacks permission for this object: give it read access.', AUTH],
  SF_TXN_SECURITY_METERING_ERROR: ['salesforce', 'A Transaction Security policy blocked the query: give the user the "Exempt from Transaction Security" permission.', FAULTS],
  SF_OPERATION_TOO_LARGE: ['salesforce', 'The query touches too many records for this user\'s sharing checks: "View All Data" avoids them.', FAULTS],
  SF_REQUEST_LIMIT_EXCEEDED: ['quota', 'The org\'s daily API requests are used up: the next run resumes from the last STATE once the 24-hour window rolls over.', FAULTS],
  SF_SERVER_UNAVAILABLE: ['transient', 'Salesforce is temporarily unavailable: the next run resumes from the last STATE.', FAULTS],
  SF_QUERY_TIMEOUT: ['salesforce', 'The query timed out even on the smallest window: lower `stream_slice_step` or narrow the stream with `stream_where`.', FAULTS],
  SF_INVALIDENTITY: ['salesforce', 'Bulk API 2.0 does not serve this object: the tap reads it through REST.', FAULTS],
  SF_BULK_JOB_FAILED: ['salesforce', 'Salesforce failed the Bulk job: the message gives its reason; timeouts shrink the window and retry.', FAULTS],
  SF_INVALID_REPLICATION_DATE: ['salesforce', 'getDeleted lists the last 30 days only: the range before is reported in a warning, or re-read with `deleted_gap: full_refresh`.', FAULTS],
  TAP_TOO_MANY_ROWS: ['salesforce', 'A window meant for a REST read held more rows than expected: it is read through the stream\'s Bulk API instead.', FAULTS],
  TAP_BULK_JOB_ABORTED: ['salesforce', 'Someone aborted the Bulk job in the org: run the sync again.', FAULTS],
  TAP_BULK_JOB_TIMEOUT: ['transient', 'Raise `bulk_job_timeout_seconds` or narrow `stream_slice_step`.', CONFIG],
  SF_InvalidSessionId: ['auth', 'Bulk API 1.0 refused the session and logging in again did not help: check that the user and the app are still active.', AUTH],
  SF_ExceededQuota: ['quota', 'The org\'s daily Bulk API batches (PK chunks count) or API requests are used up: the next run resumes from the last STATE.', FAULTS],
  SF_InvalidJob: ['salesforce', 'Bulk API 1.0 refused the job: the message names the object or setting; `api_type` auto reads through Bulk API 2.0 instead.', FAULTS],
  SF_InvalidBatch: ['salesforce', 'Bulk API 1.0 refused a batch or its results: the message gives the reason.', FAULTS],
  TAP_BULK1_BATCH_FAILED: ['salesforce', 'Salesforce failed a Bulk API 1.0 batch: the message gives its reason; a smaller `pk_chunk_size` helps with timeouts.', FAULTS],

  // Change data capture through the Pub/Sub API.
  SF_PUBSUB_UNAUTHENTICATED: ['auth', 'The Pub/Sub API refused the session: check that the user has "API Enabled" and the app the needed scopes.', AUTH],
  SF_PUBSUB_TOPIC_UNAVAILABLE: ['salesforce', 'Select the object for Change Data Capture (Setup → Change Data Capture) and give the user read access to it.', FAULTS],
  SF_PUBSUB_REPLAY_ID_UNAVAILABLE: ['salesforce', 'The saved replay position is older than the event bus keeps (72 hours): the message says how the stream goes on.', FAULTS],
  SF_PUBSUB_UNAVAILABLE: ['transient', 'The Pub/Sub API is unavailable: the next run resumes from the last STATE.', FAULTS],
  TAP_PUBSUB_NO_SESSION: ['internal', 'A bug in the tap: the Pub/Sub client got no session. Report it with a `--debug` log.', EXIT],
  TAP_PUBSUB_PROTO_MISSING: ['internal', 'The installation lacks proto/pubsub_api.proto: reinstall tap-salesforce.', EXIT],
  TAP_PUBSUB_UNDECODABLE_EVENT: ['salesforce', 'A change event did not match its schema: run the sync again; report the object if it persists.', FAULTS],
  TAP_PUBSUB_TLS_UNTRUSTED: ['config', 'The Pub/Sub API endpoint presented a certificate the tap does not trust: set `pubsub_ca_file` to the PEM file of its CA (a self-signed certificate: the certificate itself).', CONFIG],
  TAP_PUBSUB_NOT_TLS: ['config', 'The Pub/Sub API endpoint does not answer TLS: set `pubsub_tls` to `plaintext` for a plaintext listener, or point `pubsub_url` at its TLS port.', CONFIG],
  TAP_PUBSUB_CA_FILE_UNREADABLE: ['config', 'The `pubsub_ca_file` cannot be read or holds no PEM certificate: check its path and contents.', CONFIG],
  TAP_PUBSUB_BAD_RECORD_ID: ['salesforce', 'A change event named a record id that is not a Salesforce id: run the sync again; report the object if it persists.', FAULTS],

  // Replies that are not what Salesforce sends.
  TAP_UNEXPECTED_RESPONSE: ['transient', 'A proxy, firewall or maintenance page answered instead of Salesforce: check `HTTPS_PROXY` and the network.', FAULTS],
  TAP_INCOMPLETE_REPLY: ['transient', 'A reply broke off before its end, after every retry: check the network (proxies that cut long replies); the next run resumes from the last STATE.', FAULTS],
  TAP_REPLY_SHAPE: ['salesforce', 'Salesforce (or something in between) answered with JSON of the wrong shape: the message names the endpoint and the field; report it if it persists.', FAULTS],
  TAP_PAGINATION_LOOP: ['salesforce', 'Salesforce handed out the same next-page token twice; the tap stopped instead of reading the same rows forever. Run the sync again; report it if it persists.', FAULTS],
  TAP_CSV_MALFORMED: ['salesforce', 'A Bulk result page is not valid CSV: run the sync again; report the object if it persists.', FAULTS],
  TAP_CSV_TRUNCATED: ['transient', 'A Bulk result page ended inside a record after every retry: check the network; the next run resumes.', FAULTS],
  TAP_CSV_HEADER_MISMATCH: ['salesforce', 'The object changed during the run: run discover again.', USAGE],
  TAP_PAGE_COUNT_MISMATCH: ['transient', 'A Bulk result page held fewer rows than announced after every retry: the next run resumes from the last STATE.', FAULTS],

  // Network, quota and the run itself.
  TAP_HOST_NOT_FOUND: ['transient', 'The host name does not resolve: check `login_url` / `instance_url` and DNS.', AUTH],
  TAP_CONNECTION_REFUSED: ['transient', 'The host refused the connection: check the URL, proxies and firewalls.', FAULTS],
  TAP_TIMEOUT: ['transient', 'Salesforce did not answer in time after every retry: the next run resumes from the last STATE.', FAULTS],
  TAP_NETWORK_ERROR: ['transient', 'The connection failed after every retry: the next run resumes from the last STATE.', FAULTS],
  TAP_QUOTA_REACHED: ['quota', 'The run used its share of the API quota (`quota_percent_per_run`, `quota_percent_total`): the next run resumes from the last STATE.', CONFIG],
  TAP_INTERRUPTED: ['interrupted', 'The run was stopped (SIGINT / SIGTERM); its Bulk jobs were aborted and the next run resumes from the last STATE.', EXIT],
  TAP_OUTPUT_CLOSED: ['output_closed', 'The program reading the tap\'s output exited: look at its log.', EXIT],
  TAP_OUTPUT_FAILED: ['output_closed', 'Writing the output failed: look at the program reading it and the disk.', EXIT],
  TAP_INTERNAL: ['internal', 'A bug in the tap: rerun with `--debug` and report the redacted stack trace.', EXIT],
};

export const ERROR_CODES: readonly ErrorCodeInfo[] = Object.entries(ENTRIES).map(([code, [kind, advice, docs]]) => ({ code, kind, advice, docs }));

const BY_CODE = new Map(ERROR_CODES.map((info) => [info.code, info]));

/** The registry entry for a code, if the tap knows it. */
export function errorCodeInfo(code: string): ErrorCodeInfo | undefined {
  return BY_CODE.get(code);
}
