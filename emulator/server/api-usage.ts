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

  /** The /limits body, keys alphabetical as Salesforce serves them. */
  limits(): Record<string, { Max: number; Remaining: number }> {
    const s = this.settings;
    const storageMax = 976_562;
    return {
      ConcurrentAsyncGetReportInstances: { Max: 200, Remaining: 200 },
      ConcurrentSyncReportRuns: { Max: 20, Remaining: 20 },
      DailyApiRequests: { Max: s.dailyApiLimit, Remaining: Math.max(0, s.dailyApiLimit - this.apiRequests) },
      DailyAsyncApexExecutions: { Max: 250_000, Remaining: 250_000 },
      DailyBulkApiBatches: { Max: 15_000, Remaining: Math.max(0, 15_000 - this.bulkApiBatches) },
      DailyBulkV2QueryFileStorageMB: {
        Max: storageMax,
        Remaining: Math.max(0, storageMax - Math.ceil(this.bulkResultBytes / 1_048_576)),
      },
      DailyBulkV2QueryJobs: { Max: s.dailyBulkQueryJobLimit, Remaining: Math.max(0, s.dailyBulkQueryJobLimit - this.bulkQueryJobs) },
      DataStorageMB: { Max: 1024, Remaining: 1000 },
      FileStorageMB: { Max: 1024, Remaining: 1024 },
      HourlyTimeBasedWorkflow: { Max: 1000, Remaining: 1000 },
      SingleEmailMessages: { Max: 5000, Remaining: 5000 },
    };
  }
}
