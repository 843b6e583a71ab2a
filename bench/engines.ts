/**
 * Benchmark row 3: one big object's initial load through each read engine, wall time and the
 * tap's peak RSS side by side: Bulk API 2.0 as one job per window, Bulk API 2.0 split into
 * several jobs (when the tap offers the split), Bulk API 1.0 with PK chunking, and Bulk API 1.0
 * as one batch. Every variant reads the same catalog from the same emulator process; its rate
 * counts the records the tap says it sent, so a variant that lost rows fails the bench.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { Result } from './tap-process.js';


/** What the bench's runner lends this row (so both share one emulator launcher and one timed tap run). */
export interface EngineHarness<Info extends { tap_config: Record<string, unknown> }> {
  startEmulator(extra: string[]): Promise<{ info: Info; child: ChildProcess }>;
  /** A Singer catalog of the benchmark's Account columns, as a file path. */
  catalogFor(info: Info, config: string): Promise<string>;
  runTap(label: string, argv: string[], expected: number): Result;
}

/** A job costs this long on the emulator whatever its size (the instant profile's only clock). */
const JOB_DELAY_MS = 2000;

/** The engines compared; a variant whose settings the tap does not know is skipped, with a note. */
const VARIANTS: { name: string; config: Record<string, unknown> }[] = [
  { name: 'Bulk 2.0 unsplit', config: { api_type: 'auto' } },
  { name: 'Bulk 1.0 PK chunking (100k)', config: { api_type: 'BULK1', pk_chunk_size: 100_000 } },
  { name: 'Bulk 1.0 PK chunking (250k)', config: { api_type: 'BULK1', pk_chunk_size: 250_000 } },
  { name: 'Bulk 1.0 one batch', config: { api_type: 'BULK1', pk_chunking: false } },
];

export async function engines<Info extends { tap_config: Record<string, unknown> }>(dir: string, records: number, harness: EngineHarness<Info>): Promise<Result[]> {
  const { info, child } = await harness.startEmulator(['--records', String(records), '--bulk-job-delay-ms', String(JOB_DELAY_MS), '--bulk-default-page-rows', '100000']);
  const results: Result[] = [];
  try {
    // One window over the whole history: the engines are compared on one load, not on window planning.
    const base = { ...info.tap_config, include_deleted: true, max_records: 100_000, stream_slice_step: 'P36500D' };
    const config = join(dir, 'engines-config.json');
    writeFileSync(config, JSON.stringify(base));
    const catalog = await harness.catalogFor(info, config);
    for (const variant of VARIANTS) {
      const path = join(dir, `engines-${results.length}.json`);
      writeFileSync(path, JSON.stringify({ ...base, ...variant.config }));
      const run = harness.runTap(`engine ${variant.name} ${records}`, ['--config', path, '--catalog', catalog], records);
      results.push({ ...run, note: `one object initial load; every job or chunk ${JOB_DELAY_MS} ms on the emulator, 10 chunks at once` });
    }
  } finally {
    child.kill('SIGTERM');
  }
  return results;
}
