/**
 * The sync engine's hooks into the org for one run: the windows to read (from the bookmark, the
 * start date or the object's first row), how to split a window, what a failed read calls for,
 * row counts for estimates, and the API quota that stops new work.
 */
import type { SelectedStream } from '../catalog/types.js';
import { TapError } from '../core/errors.js';
import type { SalesforceClient } from '../salesforce/client.js';
import { classifyBulkFailure } from '../salesforce/bulk2/jobs.js';
import { iterateRestQuery, type RestQueryPage } from '../salesforce/rest-query.js';
import { buildSelect } from '../salesforce/soql.js';
import { normalizeTimestamp, planWindows, splitWindow } from '../state/windows.js';
import type { LogLevel } from './events.js';
import type { SyncWindow } from './read-apis.js';
import type { FailureAction, SyncPlanHooks } from './read-modes.js';
import { streamCondition } from './readers.js';

/** The settings the hooks read (a subset of the tap's config). */
export interface ReadHookSettings {
  startDate?: string | undefined;
  endDate?: string | undefined;
  lookbackSeconds: number;
  windowSeconds: number;
  minWindowSeconds: number;
  includeDeleted: boolean;
  streamWhere: Record<string, string>;
  quotaPercentTotal: number;
  quotaPercentPerRun: number;
}

/** What a failed read through `api` calls for. */
export function classifyReadFailure(error: TapError, api: string): FailureAction {
  if (api === 'bulk') {
    const action = classifyBulkFailure(error);
    return action === 'use_rest' ? 'fall_back' : action;
  }
  return error.code === 'SF_QUERY_TIMEOUT' ? 'shrink_window' : 'fail';
}

export class OrgQueries {
  readonly #client: SalesforceClient;
  readonly #settings: ReadHookSettings;

  constructor(client: SalesforceClient, settings: ReadHookSettings) {
    this.#client = client;
    this.#settings = settings;
  }

  /** The first page of a REST query over a stream's rows, deleted ones included when the sync reads them. */
  async firstPage(stream: SelectedStream, soql: string, signal: AbortSignal): Promise<RestQueryPage | undefined> {
    const queryAll = this.#settings.includeDeleted && stream.definition.hasIsDeleted;
    for await (const page of iterateRestQuery(this.#client, soql, { queryAll, batchSize: 200, signal })) return page;
    return undefined;
  }

  /** The first replication-key value of a stream, where a run with no bookmark and no start date begins. */
  async earliestValue(stream: SelectedStream, signal: AbortSignal): Promise<string | undefined> {
    const key = stream.replicationKey!;
    const where = [streamCondition(stream.definition, this.#settings.streamWhere), `${key} != null`].filter(Boolean).join(') AND (');
    const soql = `${buildSelect({ sobject: stream.definition.sobject, columns: [key], where })} ORDER BY ${key} ASC LIMIT 1`;
    const page = await this.firstPage(stream, soql, signal);
    return page ? normalizeTimestamp(page.records[0]?.[key]) : undefined;
  }

  /** `SELECT COUNT() ...` over the stream's rows in `range` (undefined: all). */
  async countRows(stream: SelectedStream, range: SyncWindow | undefined, signal: AbortSignal): Promise<number | undefined> {
    const where = streamCondition(stream.definition, this.#settings.streamWhere);
    const soql = buildSelect({
      sobject: stream.definition.sobject,
      columns: ['COUNT()'],
      ...(where ? { where } : {}),
      ...(range && stream.replicationKey ? { window: { field: stream.replicationKey, ...range } } : {}),
    });
    return (await this.firstPage(stream, soql, signal))?.totalSize;
  }
}

export function buildReadHooks(client: SalesforceClient, settings: ReadHookSettings, log: (level: LogLevel, message: string) => void): SyncPlanHooks {
  const org = new OrgQueries(client, settings);
  return {
    planWindows: async (stream, bookmark, syncStart, signal) => {
      const value = bookmark?.replicationKey === stream.replicationKey ? bookmark?.value : undefined;
      const earliest = value || settings.startDate ? undefined : await org.earliestValue(stream, signal);
      return planWindows({
        ...(value ? { bookmark: value } : {}),
        ...(settings.startDate ? { startDate: settings.startDate } : {}),
        ...(earliest ? { earliest } : {}),
        ...(settings.endDate ? { endDate: settings.endDate } : {}),
        lookbackSeconds: settings.lookbackSeconds,
        syncStart,
        windowSeconds: settings.windowSeconds,
      });
    },
    splitWindow: (window) => splitWindow(window, settings.minWindowSeconds),
    classifyFailure: classifyReadFailure,
    countRows: async (stream, range, signal) => {
      try {
        return await org.countRows(stream, range, signal);
      } catch (error) {
        // Only an estimate: a COUNT() that times out on a huge object must not stop the sync.
        if (signal.aborted || (error instanceof TapError && ['auth', 'quota'].includes(error.kind))) throw error;
        log('debug', `${stream.definition.name}: no row count (${(error as Error).message})`);
        return undefined;
      }
    },
    checkQuota: async () => {
      const usage = client.apiUsage();
      if (!usage || usage.max <= 0) return;
      if (usage.used >= (usage.max * settings.quotaPercentTotal) / 100 || usage.usedThisRun >= (usage.max * settings.quotaPercentPerRun) / 100) {
        throw new TapError('TAP_QUOTA_REACHED', `The API quota share is used (${usage.used} of ${usage.max} daily calls, ${usage.usedThisRun} by this run; limits quota_percent_total ${settings.quotaPercentTotal}%, quota_percent_per_run ${settings.quotaPercentPerRun}%). The next run resumes from the last STATE.`, { kind: 'quota' });
      }
    },
  };
}
