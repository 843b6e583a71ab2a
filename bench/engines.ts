/**
 * Benchmark row 3: one big object's initial load through each read engine, wall time and the
 * tap's peak RSS side by side, on the emulator's realistic profile (start latency, scan rate, jobs
 * at once, bandwidth per connection): Bulk API 2.0 as one job, Bulk API 2.0 split into date
 * ranges whose jobs run at once, Bulk API 1.0 with PK chunking, and Bulk API 1.0 as one batch. Every variant reads the same catalog from the same emulator process; its rate
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

/** The engines compared on one object's whole history. */
const variants = (records: number): { name: string; config: Record<string, unknown> }[] => [
  // One window over the whole history: one job.
  { name: 'Bulk 2.0 unsplit', config: { api_type: 'auto', planner: 'sequential', stream_slice_step: 'P36500D' } },
  // Date ranges of about an eighth of the rows each, their jobs running at once.
  { name: 'Bulk 2.0 split (8 ranges)', config: { api_type: 'auto', planner: 'adaptive', window_rows: Math.ceil(records / 8) } },
  { name: 'Bulk 1.0 PK chunking (100k)', config: { api_type: 'BULK1', pk_chunk_size: 100_000, stream_slice_step: 'P36500D' } },
  { name: 'Bulk 1.0 PK chunking (250k)', config: { api_type: 'BULK1', pk_chunk_size: 250_000, stream_slice_step: 'P36500D' } },
  { name: 'Bulk 1.0 one batch', config: { api_type: 'BULK1', pk_chunking: false, stream_slice_step: 'P36500D' } },
];

/** `only`: the engines whose names contain one of these (all when absent). */
export async function engines<Info extends { tap_config: Record<string, unknown> }>(dir: string, records: number, harness: EngineHarness<Info>, only?: readonly string[]): Promise<Result[]> {
  const { info, child } = await harness.startEmulator(['--records', String(records), '--profile', 'realistic', '--bulk-default-page-rows', '100000']);
  const results: Result[] = [];
  try {
    const base = { ...info.tap_config, include_deleted: true, max_records: 100_000 };
    const config = join(dir, 'engines-config.json');
    writeFileSync(config, JSON.stringify(base));
    const catalog = await harness.catalogFor(info, config);
    for (const variant of variants(records).filter((v) => !only || only.some((name) => v.name.includes(name)))) {
      const path = join(dir, `engines-${results.length}.json`);
      writeFileSync(path, JSON.stringify({ ...base, ...variant.config }));
      const run = harness.runTap(`engine ${variant.name} ${records}`, ['--config', path, '--catalog', catalog], records);
      const unsplit = results[0];
      results.push({ ...run, note: `one object's initial load, realistic profile${unsplit ? `; ${(run.seconds / unsplit.seconds).toFixed(2)}× Bulk 2.0 unsplit's time` : ''}` });
    }
  } finally {
    child.kill('SIGTERM');
  }
  return results;
}
