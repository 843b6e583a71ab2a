/**
 * Named sets of settings. `instant` (the default, for tests) answers at once and never throttles;
 * `realistic` takes Salesforce's time and caps, so a client tuned against it is tuned for a real
 * org. Each number says where it comes from; the README's emulator section lists the sources.
 */
import type { EmulatorSettings } from './settings.js';

export type ProfileName = 'instant' | 'realistic';

export const PROFILE_NAMES: readonly ProfileName[] = ['instant', 'realistic'];

export const PROFILES: Record<ProfileName, Partial<EmulatorSettings>> = {
  instant: {},
  realistic: {
    // Assumption: a query job waits a few seconds in the queue and for its query plan before
    // the first row is read; the Bulk guide documents the polling model but no figure.
    bulkJobDelayMs: 3000,
    // Assumption: 50,000 rows/s per job, i.e. a 1M-row extract in about 23 s, under the
    // documented 2-minute limit on a query's execution (Bulk API "Limits": query timeout).
    bulkScanRowsPerSec: 50_000,
    // Assumption: Salesforce publishes no per-org number of query jobs processed at once.
    bulkConcurrentJobs: 5,
    // Assumption: one REST round trip to a Salesforce pod, server time included.
    restCallLatencyMs: 150,
    // Assumption: 8 MB/s per connection for result downloads (results are gzipped on request,
    // as documented for Bulk API 2.0: "Use Compression for Bulk API 2.0 Query Responses").
    bandwidthBytesPerSec: 8_000_000,
    gzip: true,
    // Documented: a job's results are ready when it reports JobComplete. Rendering them while the
    // job runs keeps the emulator's CPU off the client's downloads on a machine both share.
    bulkResultSpoolMb: 512,
    // Documented: DailyApiRequests Max 15,000 in a Developer Edition org ("API Request Limits and Allocations").
    dailyApiLimit: 15_000,
    // Documented: 10,000 Bulk 2.0 query jobs per rolling 24 hours.
    dailyBulkQueryJobLimit: 10_000,
  },
};

/** The profile's settings, or a one-line error naming the choices. */
export function profileSettings(name: string): Partial<EmulatorSettings> {
  if (!(PROFILE_NAMES as readonly string[]).includes(name)) {
    throw new Error(`Expected \`profile\` to be one of ${PROFILE_NAMES.join(', ')}, got ${JSON.stringify(name)}`);
  }
  return PROFILES[name as ProfileName];
}
