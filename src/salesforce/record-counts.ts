/**
 * Rows per object from the Record Count resource (`/limits/recordCount`, API 40.0 and later): one
 * call for many objects. Salesforce serves a cached snapshot that leaves out recycle-bin rows and
 * does not list history, share, feed or change-event objects, so the counts order work and never
 * count it. Users without "View Setup and Configuration" are refused; callers go on without counts.
 */
import type { SalesforceClient } from './client.js';

/** Object names per call, so the URL stays far below Salesforce's 16,384-byte limit on URI and headers. */
const NAMES_PER_CALL = 100;

export async function fetchRecordCounts(client: SalesforceClient, sobjects: readonly string[], signal: AbortSignal): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let i = 0; i < sobjects.length; i += NAMES_PER_CALL) {
    const names = sobjects.slice(i, i + NAMES_PER_CALL).join(',');
    const reply = await client.json<{ sObjects: { name?: unknown; count?: unknown }[] }>(`limits/recordCount?sObjects=${encodeURIComponent(names)}`, { signal, shape: { sObjects: 'array' } });
    for (const entry of reply.sObjects) {
      if (typeof entry.name === 'string' && typeof entry.count === 'number') counts.set(entry.name.toLowerCase(), entry.count);
    }
  }
  return counts;
}
