/**
 * Connection check (Airbyte `check`, Singer `--test`): log in, list the objects, read `/limits`.
 * User problems (credentials, permissions, app setup, an unreachable host) are answered with a
 * FAILED status whose message says what to do, and the process exits 0 (protocols.md §1.3);
 * faults of the tap itself are thrown, so the top level reports a TRACE and exits non-zero.
 */
import { TapError, toTapError } from '../core/errors.js';
import { describeChangeDataCapture } from './change-events.js';
import type { CommandContext } from './context.js';

interface DescribeGlobal {
  sobjects: { name: string; queryable?: boolean }[];
}

type Limits = Record<string, { Max: number; Remaining: number } | undefined>;

export interface CheckResult {
  instanceUrl: string;
  queryableObjects: number;
  apiRequestsMax?: number;
  apiRequestsRemaining?: number;
  /** Which `change_data_capture` streams have change events enabled in the org. */
  changeDataCapture?: string;
}

/** Error codes whose message gains advice in a check (the error table's own advice is kept). */
const CHECK_ADVICE: Readonly<Record<string, string>> = {
  SF_INSUFFICIENT_ACCESS: 'Give the integration user "API Enabled" and "View Setup and Configuration" (for /limits), and read access to the objects to sync.',
  SF_NOT_FOUND: 'Check `api_version` and `instance_url`.',
  TAP_HOST_NOT_FOUND: 'Check `login_url` / `instance_url` for typos.',
};

/** Errors a user fixes (FAILED + exit 0) versus faults of the tap (TRACE + non-zero). */
export function isUserProblem(error: TapError): boolean {
  if (error.kind === 'internal' || error.kind === 'interrupted' || error.kind === 'output_closed') return false;
  return true;
}

export function describeCheckFailure(error: TapError): string {
  const advice = CHECK_ADVICE[error.code];
  return advice && !error.message.includes(advice) ? `${error.message} ${advice}` : error.message;
}

export async function checkConnection(ctx: CommandContext): Promise<CheckResult> {
  const client = await ctx.client();
  const global = await client.json<DescribeGlobal>('sobjects', { signal: ctx.signal, shape: { sobjects: 'array' } });
  const limits = await client.json<Limits>('limits', { signal: ctx.signal, shape: { DailyApiRequests: 'object?' } });
  const daily = limits.DailyApiRequests;
  const result: CheckResult = { instanceUrl: client.instanceUrl, queryableObjects: global.sobjects.filter((o) => o.queryable !== false).length };
  if (daily) {
    result.apiRequestsMax = daily.Max;
    result.apiRequestsRemaining = daily.Remaining;
  }
  const cdc = await describeChangeDataCapture(ctx, client);
  if (cdc) result.changeDataCapture = cdc;
  return result;
}

export function describeCheckSuccess(result: CheckResult): string {
  const quota = result.apiRequestsMax === undefined ? 'API usage unknown' : `${result.apiRequestsRemaining} of ${result.apiRequestsMax} daily API requests remaining`;
  return `Connected to ${result.instanceUrl}: ${result.queryableObjects} queryable objects, ${quota}.${result.changeDataCapture ? ` ${result.changeDataCapture}` : ''}`;
}

/** Airbyte: exactly one CONNECTION_STATUS for a user problem or success. Singer: stderr + exit code. */
export async function runCheck(ctx: CommandContext): Promise<number> {
  try {
    const result = await checkConnection(ctx);
    const message = describeCheckSuccess(result);
    ctx.logger.info(message);
    const status = ctx.protocol.encodeConnectionStatus('SUCCEEDED', message);
    if (status !== undefined) await ctx.out.write(status);
    return 0;
  } catch (caught) {
    const error = toTapError(caught);
    if (!isUserProblem(error)) throw error;
    const message = describeCheckFailure(error);
    ctx.logger.error(`Connection check failed [${error.code}]: ${message}`);
    const status = ctx.protocol.encodeConnectionStatus('FAILED', message);
    if (status !== undefined) {
      await ctx.out.write(status);
      return 0;
    }
    return error.exitCode;
  }
}
