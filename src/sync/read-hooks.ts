/**
 * The sync engine's hooks into the org for one run: the windows to read (from the bookmark, the
 * start date or the object's first row), how to split a window, what a failed read calls for,
 * row counts for estimates, and the API quota that stops new work.
 */
import type { SelectedStream } from '../catalog/types.js';
import { TapError } from '../core/errors.js';
import type { SalesforceClient } from '../salesforce/client.js';
import { resolveReadFailure } from '../salesforce/http/resolution-table.js';
import { iterateRestQuery, type RestQueryPage } from '../salesforce/rest-query.js';
import { buildSelect } from '../salesforce/soql.js';
import { planWindowsByCount } from '../state/plan-by-count.js';
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
  /** `adaptive`: windows from the data; `sequential`: calendar windows. */
  planner: 'adaptive' | 'sequential';
  windowRows: number;
}

/** What a failed read through `api` calls for: the resolution table decides (salesforce/http/resolution-table.ts). */
export function classifyReadFailure(error: TapError, api: string): FailureAction {
  const action = resolveReadFailure(error, api);
  return action === 'use_rest' ? 'fall_back' : action;
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
    return page ? normalizeTimestamp(page.records.at(0)?.[key]) : undefined;
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
  /** Calendar windows, as the sequential planner reads them and as the adaptive one falls back to. */
  const calendar = async (stream: SelectedStream, value: string | undefined, syncStart: Date, signal: AbortSignal) => {
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
  };
  /**
   * From the data: a run with a bookmark reads [bookmark - lookback, end) as one window, uncounted
   * (it goes through REST until it proves big; a span longer than a calendar window is counted);
   * a first run starts at the later of the start date and the first row, and sizes its windows
   * by COUNT(). When counting fails, calendar windows.
   */
  const adaptive = async (stream: SelectedStream, value: string | undefined, syncStart: Date, signal: AbortSignal): Promise<SyncWindow[]> => {
    const end = Math.min(syncStart.getTime(), settings.endDate ? Date.parse(settings.endDate) : Infinity);
    let start: number;
    if (value) start = Date.parse(value) - settings.lookbackSeconds * 1000;
    else {
      const earliest = await org.earliestValue(stream, signal);
      if (!earliest) return [{ start: new Date(settings.startDate ? Date.parse(settings.startDate) : end).toISOString(), end: new Date(end).toISOString(), rows: 0 }].filter((w) => w.start < w.end);
      // Whole seconds, at or before the first row: SOQL datetime literals have no milliseconds.
      start = Math.max(settings.startDate ? Date.parse(settings.startDate) : -Infinity, Math.floor(Date.parse(earliest) / 1000) * 1000);
    }
    if (!(start < end)) return [];
    const range = { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
    if (value && end - start <= settings.windowSeconds * 1000) return [range];
    const count = (w: SyncWindow) => org.countRows(stream, w, signal);
    const total = await count(range).catch((error: unknown) => {
      if (signal.aborted || (error instanceof TapError && ['auth', 'quota'].includes(error.kind))) throw error;
      log('debug', `${stream.definition.name}: no row count (${(error as Error).message}); calendar windows`);
      return undefined;
    });
    if (total === undefined) return calendar(stream, value, syncStart, signal);
    if (total === 0) return [{ ...range, rows: 0 }];
    return planWindowsByCount(range, total, async (w) => (await count(w)) ?? 0, { windowRows: settings.windowRows, minWindowSeconds: settings.minWindowSeconds });
  };
  return {
    planWindows: async (stream, bookmark, syncStart, signal) => {
      const value = bookmark?.replicationKey === stream.replicationKey ? bookmark?.value : undefined;
      return settings.planner === 'sequential' ? calendar(stream, value, syncStart, signal) : adaptive(stream, value, syncStart, signal);
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
