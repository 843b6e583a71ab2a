/**
 * Where a real sync spends its time (`--only planner`): the tap's CLI against an in-process
 * emulator on its `realistic` profile (Bulk jobs take seconds to start and scan at a bounded rate,
 * the org runs a few at once, REST calls take a round trip, each connection has a bandwidth), the
 * data-driven planner against the calendar one (`planner: sequential`) in the same run:
 * 1. initial load of 10 objects from `start_date` 2000-01-01, against the model's lower bound
 *    (server scan time over the jobs the org runs at once + result bytes over the bandwidth of the
 *    connections the tap may open + one job's start latency) and against the same read with every
 *    delay off (what this machine's CPUs allow);
 * 2. an incremental run over 200 objects with 0.5% of their rows changed: wall time and the API
 *    calls it cost (DailyApiRequests, as the emulator counts them: a Composite request is one).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type Emulator, type EmulatorSettings } from '../emulator/index.js';
import { DEFAULTS } from '../src/core/defaults.js';
import { runTapAsync, type Result } from './tap-process.js';

/** Ten objects that Bulk API 2.0 reads (Invoice__c's base64 field sends it to REST). */
const TEN = ['Account', 'Contact', 'Opportunity', 'Lead', 'OpportunityLineItem', 'Case', 'Campaign', 'Product2', 'PricebookEntry', 'User'];
/** The emulator's 10 objects hold about this many rows per Account row. */
const ROWS_PER_ACCOUNT = 7.55;
const PLANNERS = ['sequential', 'adaptive'] as const;

function rowsOf(em: Emulator, objects: readonly string[]): number {
  let total = 0;
  for (const object of objects) for (const _ of em.org.prepareQuery(`SELECT Id FROM ${object}`, { includeDeleted: true }).rows()) total += 1;
  return total;
}

function writeConfig(dir: string, name: string, config: Record<string, unknown>): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(config));
  return path;
}

/** What the journal says a run cost: API calls, Bulk jobs, result bytes. */
function cost(em: Emulator): { apiCalls: number; bulkJobs: number; resultBytes: number } {
  const usage = em.journal.usage();
  const resultBytes = em.journal.entries().filter((e) => e.route === 'bulk.results').reduce((sum, e) => sum + e.bytes, 0);
  return { ...usage, resultBytes };
}

/** The model's lower bound of a load of `rows` rows sending `bytes` result bytes, and its parts. */
function lowerBound(settings: EmulatorSettings, rows: number, bytes: number, gzip: boolean): { seconds: number; text: string } {
  const scan = rows / settings.bulkScanRowsPerSec / settings.bulkConcurrentJobs;
  const connections = DEFAULTS.bulkJobConcurrency * DEFAULTS.resultPageConcurrency;
  const transfer = bytes / (settings.bandwidthBytesPerSec * connections);
  const latency = settings.bulkJobDelayMs / 1000;
  return {
    seconds: scan + transfer + latency,
    text: `scan ${scan.toFixed(1)} s (${settings.bulkConcurrentJobs} jobs at once) + ${(bytes / 1e6).toFixed(0)} MB${gzip ? ' (gzipped)' : ''} over ${connections} connections ${transfer.toFixed(1)} s + job latency ${latency.toFixed(1)} s`,
  };
}

const INSTANT: Partial<EmulatorSettings> = { bulkJobDelayMs: 50, bulkScanRowsPerSec: 0, bulkConcurrentJobs: 0, restCallLatencyMs: 0, bandwidthBytesPerSec: 0 };

async function initialLoad(dir: string, rowsWanted: number, gzip: boolean): Promise<Result[]> {
  const em = await startEmulator({ records: Math.round(rowsWanted / ROWS_PER_ACCOUNT), seed: 1, profile: 'realistic' });
  try {
    const rows = rowsOf(em, TEN);
    // `gzip`: as the tap asks of a remote org (`compression: auto` reads loopback uncompressed).
    const base = { ...em.tapConfig('password'), start_date: '2000-01-01T00:00:00Z', include_deleted: true, streams_include: TEN, ...(gzip ? { compression: 'gzip' } : {}) };
    const runs: Record<string, { seconds: number; peakRssMb: number; apiCalls: number; bulkJobs: number; resultBytes: number }> = {};
    for (const planner of PLANNERS) {
      em.journal.clear();
      const run = await runTapAsync(`initial load, ${planner}`, ['--config', writeConfig(dir, `initial-${planner}.json`, { ...base, planner })], rows);
      runs[planner] = { seconds: run.seconds, peakRssMb: run.peakRssMb, ...cost(em) };
    }
    const bound = lowerBound(em.settings, rows, runs.adaptive!.resultBytes, gzip);
    const realistic = { ...em.settings };
    Object.assign(em.settings, INSTANT);
    const instant = await runTapAsync('initial load, adaptive, no delays', ['--config', join(dir, 'initial-adaptive.json')], rows);
    Object.assign(em.settings, realistic);
    const sequential = runs.sequential!;
    const adaptive = runs.adaptive!;
    const tag = gzip ? ', gzip' : '';
    return [
      { name: `planner: initial load 10 objects, sequential (realistic${tag})`, records: rows, seconds: sequential.seconds, recordsPerSecond: rows / sequential.seconds, peakRssMb: sequential.peakRssMb, note: `calendar windows; ${sequential.bulkJobs} Bulk jobs, ${sequential.apiCalls} API calls` },
      {
        name: `planner: initial load 10 objects, adaptive (realistic${tag})`, records: rows, seconds: adaptive.seconds, recordsPerSecond: rows / adaptive.seconds, peakRssMb: adaptive.peakRssMb,
        note: `${(sequential.seconds / adaptive.seconds).toFixed(2)}× faster than sequential; ${(adaptive.seconds / bound.seconds).toFixed(2)}× the lower bound ${bound.seconds.toFixed(1)} s (${bound.text}); ${adaptive.bulkJobs} Bulk jobs, ${adaptive.apiCalls} API calls`,
      },
      { name: `planner: initial load 10 objects, adaptive, no delays${tag}`, records: rows, seconds: instant.seconds, recordsPerSecond: rows / instant.seconds, peakRssMb: instant.peakRssMb, note: `the same read with every emulator delay off: this machine's CPU floor (${(adaptive.seconds / instant.seconds).toFixed(2)}× of it on realistic)` },
    ];
  } finally {
    await em.close();
  }
}

async function incremental(dir: string): Promise<Result[]> {
  const em = await startEmulator({ records: 200, seed: 1, extraObjects: 200, profile: 'realistic' });
  try {
    const objects = Array.from({ length: 200 }, (_, i) => `Generated_${String(i + 1).padStart(4, '0')}__c`);
    const base = { ...em.tapConfig('password'), include_deleted: true, streams_include: objects, stream_concurrency: 16 };
    // A first run makes the state both measured runs start from (both planners keep one bookmark format).
    const first = await runTapAsync('incremental, first run', ['--config', writeConfig(dir, 'incremental-first.json', base)], undefined, { keepStdout: true });
    const lastState = first.lines.filter((l) => l.includes('"type":"STATE"')).at(-1);
    if (!lastState) throw new Error('incremental, first run: no STATE');
    const state = writeConfig(dir, 'incremental-state.json', (JSON.parse(lastState) as { value: Record<string, unknown> }).value);
    // 0.5% of the rows change, spread over the objects; a second later than the bookmarks.
    await new Promise((r) => setTimeout(r, 1100));
    const ids = objects.flatMap((object) => [...em.org.prepareQuery(`SELECT Id FROM ${object}`, { includeDeleted: false }).rows()].map((r) => ({ object, id: r.id })));
    const changed = Math.ceil(ids.length * 0.005);
    const step = Math.floor(ids.length / changed);
    for (let i = 0; i < changed; i += 1) em.mutate.update(ids[i * step]!.object, ids[i * step]!.id, { Name: `changed ${i}` });
    const results: Result[] = [];
    const budget = 0.25 * objects.length + 10;
    for (const planner of PLANNERS) {
      em.journal.clear();
      const run = await runTapAsync(`incremental, ${planner}`, ['--config', writeConfig(dir, `incremental-${planner}.json`, { ...base, planner }), '--state', state], undefined);
      const { apiCalls, bulkJobs } = cost(em);
      results.push({
        name: `planner: incremental 200 objects, ${planner} (realistic)`, records: run.records, seconds: run.seconds, recordsPerSecond: objects.length / run.seconds, peakRssMb: run.peakRssMb,
        note: `${changed} of ${ids.length} rows changed; ${apiCalls} API calls (budget ${budget}), ${bulkJobs} Bulk jobs; rate is objects/s`,
      });
    }
    return results;
  } finally {
    await em.close();
  }
}

/** Both rows, or one (`parts`: `load`, `incremental`); `gzip`: the load reads compressed results. */
export async function plannerBench(dir: string, rows: number, parts: ReadonlySet<string> = new Set(['load', 'incremental']), gzip = false): Promise<Result[]> {
  return [...(parts.has('load') ? await initialLoad(dir, rows, gzip) : []), ...(parts.has('incremental') ? await incremental(dir) : [])];
}
