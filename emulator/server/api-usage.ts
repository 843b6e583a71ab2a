import type { EmulatorSettings } from './settings.js';

/** The org's consumption of its daily allocations, as /limits and Sforce-Limit-Info report it. */
export class ApiUsage {
  /** Data calls counted against DailyApiRequests. */
  apiRequests = 0;
  bulkQueryJobs = 0;
  /** Bulk API 1.0 batches created, PK chunks included (DailyBulkApiBatches). */
  bulkApiBatches = 0;
  /** Bulk result bytes generated (DailyBulkV2QueryFileStorageMB). */
  bulkResultBytes = 0;

  constructor(private readonly settings: EmulatorSettings) {}

  get exhausted(): boolean {
    return this.apiRequests >= this.settings.dailyApiLimit;
  }

  count(): void {
    this.apiRequests += 1;
  }

  limitInfo(): string {
    return `api-usage=${this.apiRequests}/${this.settings.dailyApiLimit}`;
  }

  reset(): void {
    this.apiRequests = 0;
    this.bulkQueryJobs = 0;
    this.bulkApiBatches = 0;
    this.bulkResultBytes = 0;
  }

  /** The /limits body: every key of the documented v66 example (REST API guide, "List Org Limits"), in name order. */
  limits(): Record<string, LimitValue> {
    const s = this.settings;
    const left = (max: number, used: number) => ({ Max: max, Remaining: Math.max(0, max - used) });
    const live: Record<string, LimitValue> = {
      DailyApiRequests: left(s.dailyApiLimit, this.apiRequests),
      DailyBulkApiBatches: left(DAILY_BULK_BATCHES, this.bulkApiBatches),
      DailyBulkV2QueryFileStorageMB: left(BULK_V2_STORAGE_MB, Math.ceil(this.bulkResultBytes / 1_048_576)),
      DailyBulkV2QueryJobs: left(s.dailyBulkQueryJobLimit, this.bulkQueryJobs),
    };
    return Object.fromEntries(FIXED_LIMITS.map(([name, max]) => [name, live[name] ?? { Max: max, Remaining: max }]));
  }
}

export type LimitValue = { Max: number; Remaining: number };

const DAILY_BULK_BATCHES = 15_000;
const BULK_V2_STORAGE_MB = 976_562;

/** Allocations of an Enterprise Edition org as documented; the four counted ones are replaced live. */
const FIXED_LIMITS = ([
  ['ActiveScratchOrgs', 3], ['AnalyticsExternalDataSizeMB', 40_960], ['ConcurrentAsyncGetReportInstances', 200],
  ['ConcurrentEinsteinDataInsightsStoryCreation', 5], ['ConcurrentEinsteinDiscoveryStoryCreation', 2], ['ConcurrentSyncReportRuns', 20],
  ['DailyAnalyticsDataflowJobExecutions', 60], ['DailyAnalyticsUploadedFilesSizeMB', 51_200], ['DailyFunctionsApiCallLimit', 235_000],
  ['DailyApiRequests', 0], ['DailyAsyncApexExecutions', 250_000], ['DailyAsyncApexTests', 500], ['DailyBulkApiBatches', 0],
  ['DailyBulkV2QueryFileStorageMB', 0], ['DailyBulkV2QueryJobs', 0], ['DailyDeliveredPlatformEvents', 10_000],
  ['DailyDurableGenericStreamingApiEvents', 10_000], ['DailyDurableStreamingApiEvents', 10_000], ['DailyEinsteinDataInsightsStoryCreation', 1000],
  ['DailyEinsteinDiscoveryPredictAPICalls', 50_000], ['DailyEinsteinDiscoveryPredictionsByCDC', 5_000_000], ['DailyEinsteinDiscoveryStoryCreation', 100],
  ['DailyGenericStreamingApiEvents', 10_000], ['DailyScratchOrgs', 6], ['DailyStandardVolumePlatformEvents', 10_000], ['DailyStreamingApiEvents', 10_000],
  ['DailyWorkflowEmails', 100_000], ['DataStorageMB', 1024], ['DurableStreamingApiConcurrentClients', 20], ['FileStorageMB', 1024],
  ['HourlyAsyncReportRuns', 1200], ['HourlyDashboardRefreshes', 200], ['HourlyDashboardResults', 5000], ['HourlyDashboardStatuses', 999_999_999],
  ['HourlyLongTermIdMapping', 100_000], ['HourlyManagedContentPublicRequests', 50_000], ['HourlyODataCallout', 20_000],
  ['HourlyPublishedPlatformEvents', 50_000], ['HourlyPublishedStandardVolumePlatformEvents', 1000], ['HourlyShortTermIdMapping', 100_000],
  ['HourlySyncReportRuns', 500], ['HourlyTimeBasedWorkflow', 1000], ['MassEmail', 5000], ['MonthlyEinsteinDiscoveryStoryCreation', 500],
  ['Package2VersionCreates', 6], ['Package2VersionCreatesWithoutValidation', 500], ['PermissionSets', 1500],
  ['PlatformEventTriggersWithParallelProcessing', 5], ['PrivateConnectOutboundCalloutHourlyLimitMB', 0], ['SingleEmail', 5000],
  ['StreamingApiConcurrentClients', 20],
] as [string, number][]).sort(([a], [b]) => (a < b ? -1 : 1));
