/**
 * Counts the calls this run made (every attempt counts against the org's quota) and keeps the
 * latest API usage Salesforce reported in `Sforce-Limit-Info: api-usage=12/15000`.
 */
import type { ApiUsage } from '../client.js';
import type { Wrapper } from './compose.js';

export interface LimitTracker {
  /** The latest usage seen, with this run's calls; undefined until a response carried it. */
  usage(): ApiUsage | undefined;
}

/** `Sforce-Limit-Info: api-usage=12/15000` → {used, max}. */
export function parseLimitInfo(header: string | undefined): { used: number; max: number } | undefined {
  if (header === undefined) return undefined;
  const match = /api-usage=(\d+)\/(\d+)/.exec(header);
  return match ? { used: Number(match[1]), max: Number(match[2]) } : undefined;
}

export function createLimitTracker(): LimitTracker & { wrapper: Wrapper } {
  let latest: { used: number; max: number } | undefined;
  let calls = 0;
  return {
    usage: () => (latest === undefined ? undefined : { ...latest, usedThisRun: calls }),
    wrapper: (next) => async (request) => {
      const response = await next(request);
      calls += 1;
      latest = parseLimitInfo(response.headers['sforce-limit-info']) ?? latest;
      return response;
    },
  };
}
