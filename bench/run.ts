/**
 * `npm run bench`: the tap against the emulator, side by side with the byte ceiling and jsforce.
 *
 *   node dist/bench/run.js [--records 1000000] [--big 5000000] [--only read,ceiling,jsforce,pages,discover,engines,planner(-load|-incremental),cdc]
 *                          [--engine-records 1000000] (row 3: one object's initial load per read engine, engines.ts)
 *                          [--engines 'unsplit,split,PK chunking (100k)'] (row 3's engines whose names contain one of these)
 *                          [--planner-rows 2000000]    (rows of the planner benchmark's 10 objects, bench/planner.ts)
 *                          [--planner-gzip]    (the initial load asks for gzip, as from a remote org; the emulator then compresses on the same CPUs)
 *                          [--cpu-prof DIR]   (the tap's runs write V8 CPU profiles to DIR)
 *                          [--node PATH]      (the whole benchmark runs again on this Node binary)
 *
 * - The emulator runs in its own process (loopback, no latency) with Account rows; the tap's
 *   real CLI reads 60 Account columns in Airbyte and in Singer mode with stdout to /dev/null,
 *   with the Docker image's memory settings, once more in Airbyte mode without them, and once in
 *   Singer mode through a pipe into `cat`, once with `compression: gzip` (what a real org sends;
 *   held against the gzip ceiling) and once through REST (`api_type: REST`, for its peak RSS).
 *   Peak RSS is the tap process's own (GNU time). Every run's rate counts the records the tap
 *   reports it sent (its `complete (N records)` log lines); a run that sent fewer fails the bench.
 * - ceiling: the same result pages fetched and transcoded to JSON lines by the byte path, with
 *   no per-record work and no protocol envelope; again with the pages gzipped.
 * - jsforce: `bulk2.query` of the same SOQL, each record through `JSON.stringify`.
 * - pages: the tap's read with each connection capped at 20 MB/s, `resultPages` downloaded 3
 *   (the default), 4 and 5 at a time against the sequential locator chain (result_page_concurrency 1),
 *   timed from the tap's first result request to its stream's end (its own log timestamps).
 * - cdc: Change Data Capture (bench/change-events.ts): DML → RECORD latency in --follow, events/s,
 *   API calls against a SystemModstamp run of the same 10,000 changes, RSS under 100,000 events.
 * Prints a table (with each rate against the previous run's on the same Node, ×prev) and writes
 * bench/results.json, whose rows carry their Node version and time.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchColumns, ceiling, jsforceReader, login } from './baselines.js';
import { engines } from './engines.js';
import { plannerBench } from './planner.js';
import { CLI, IMAGE_ENV, IMAGE_SETTINGS, spawnTap, startEmulator, type EmulatorInfo, type Result, type TapOptions } from './tap-process.js';
import { changeEventRows } from './change-events.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const cli = CLI;
const JSFORCE_RECORDS = 200_000;

interface Options {
  records: number;
  /** Row 3's object size (default 1M: 10M rows take 4 to 8 minutes per engine on 2 shared CPUs). */
  engineRecords: number;
  /** Row 3's engines whose names contain one of these (all when absent). */
  engines?: string[];
  /** Rows of the planner benchmark's initial load, over its 10 objects. */
  plannerRows: number;
  /** The planner's initial load with `compression: gzip`. */
  plannerGzip: boolean;
  big?: number;
  only: Set<string>;
  cpuProf?: string;
  /** Run the benchmark on this Node binary instead (e.g. a current LTS). */
  node?: string | undefined;
}

function args(): Options {
  const argv = process.argv.slice(2);
  const get = (name: string) => {
    const i = argv.indexOf(`--${name}`);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const only = new Set((get('only') ?? 'read,ceiling,jsforce,pages,discover,engines,planner,cdc').split(','));
  const big = get('big');
  const cpuProf = get('cpu-prof');
  return {
    records: Number(get('records') ?? 1_000_000), engineRecords: Number(get('engine-records') ?? 1_000_000), plannerRows: Number(get('planner-rows') ?? 2_000_000), plannerGzip: argv.includes('--planner-gzip'), ...(get('engines') ? { engines: get('engines')!.split(',') } : {}),
    ...(big ? { big: Number(big) } : {}), ...(cpuProf ? { cpuProf } : {}), ...(get('node') ? { node: get('node') } : {}), only,
  };
}

function restConfig(dir: string, info: EmulatorInfo): string {
  const path = join(dir, 'config-rest.json');
  writeFileSync(path, JSON.stringify({ ...info.tap_config, include_deleted: true, api_type: 'REST' }));
  return path;
}

/** A timed read: its rate counts the records the tap sent. */
function runTap(label: string, argv: string[], expected: number, options: TapOptions = {}): Result {
  const run = spawnTap(label, argv, expected, options);
  // Each run as it finishes, so a long bench shows its numbers before the table at the end.
  process.stderr.write(`${label}: ${run.seconds.toFixed(1)} s, ${Math.round(run.records / run.seconds)} rec/s, peak RSS ${Math.round(run.peakRssMb)} MB\n`);
  return { name: label, records: run.records, seconds: run.seconds, recordsPerSecond: run.records / run.seconds, peakRssMb: run.peakRssMb };
}

function tapCatalogs(dir: string, config: string, columns: string[]): { airbyte: string; singer: string } {
  const discover = (argv: string[]) => {
    const out = spawnSync(process.execPath, [cli, ...argv], { maxBuffer: 256 << 20 });
    if (out.status !== 0) throw new Error(`discover failed: ${out.stderr.toString().slice(-1000)}`);
    return out.stdout.toString();
  };
  const keep = new Set(columns);
  const catalogLine = discover(['discover', '--config', config]).split('\n').find((l) => l.includes('"type":"CATALOG"'));
  if (!catalogLine) throw new Error('discover printed no CATALOG message');
  const airbyteCatalog = JSON.parse(catalogLine) as { catalog: { streams: { name: string; json_schema: { properties: Record<string, unknown> } }[] } };
  const account = airbyteCatalog.catalog.streams.find((s) => s.name === 'Account')!;
  account.json_schema.properties = Object.fromEntries(Object.entries(account.json_schema.properties).filter(([k]) => keep.has(k)));
  const airbyte = join(dir, 'airbyte-catalog.json');
  writeFileSync(airbyte, JSON.stringify({ streams: [{ stream: account, sync_mode: 'full_refresh', destination_sync_mode: 'overwrite' }] }));

  const singerCatalog = JSON.parse(discover(['--config', config, '--discover'])) as { streams: { tap_stream_id: string; metadata: { breadcrumb: string[]; metadata: Record<string, unknown> }[] }[] };
  const stream = singerCatalog.streams.find((s) => s.tap_stream_id === 'Account')!;
  for (const m of stream.metadata) {
    if (m.breadcrumb.length === 0) Object.assign(m.metadata, { selected: true, 'replication-method': 'FULL_TABLE' });
    else m.metadata.selected = keep.has(m.breadcrumb[1]!);
  }
  const singer = join(dir, 'singer-catalog.json');
  writeFileSync(singer, JSON.stringify({ streams: [stream] }));
  return { airbyte, singer };
}

/**
 * How long the tap spent downloading: from its first result request (a METRIC timer's end less
 * its duration) to its last stream's end, both from its own log timestamps.
 */
function downloadSeconds(stderr: string): number {
  let first = Infinity;
  let last = -Infinity;
  for (const line of stderr.split('\n')) {
    const metric = /^(\S+) INFO METRIC: (\{.*\})$/.exec(line);
    if (metric) {
      const timer = JSON.parse(metric[2]!) as { value: number; tags: { endpoint?: string } };
      if (timer.tags.endpoint === 'jobs/query/:id/results') first = Math.min(first, Date.parse(metric[1]!) - timer.value * 1000);
      continue;
    }
    const complete = /^(\S+) INFO \S+: complete \(/.exec(line);
    if (complete) last = Math.max(last, Date.parse(complete[1]!));
  }
  if (!Number.isFinite(first) || !Number.isFinite(last)) throw new Error('the tap logged no result request or no stream end');
  return (last - first) / 1000;
}

/**
 * The tap's own parallel download: each connection capped at 20 MB/s, so the advantage is its
 * several connections. 24 pages of the same size both ways: the locator chain one page after
 * another (result_page_concurrency 1), or the job's resultPages 3 (the default), 4 and 5 at a time.
 */
async function pages(dir: string): Promise<Result[]> {
  const records = 200_000;
  const pageRows = Math.ceil(records / 24);
  // Rendered pages are cached after a first untimed read, so the timed reads measure the transfer.
  const { info, child } = await startEmulator(['--records', String(records), '--bandwidth', String(20 * 1024 * 1024), '--bulk-job-delay-ms', '50', '--bulk-result-page-rows', String(pageRows), '--bulk-result-cache-mb', '1000']);
  try {
    const columns = await benchColumns(await login(info));
    const pagesDir = mkdtempSync(join(dir, 'pages-'));
    const configFor = (concurrency: number) => {
      const path = join(pagesDir, `config-${concurrency}.json`);
      writeFileSync(path, JSON.stringify({ ...info.tap_config, include_deleted: true, max_records: pageRows, result_page_concurrency: concurrency }));
      return path;
    };
    const catalog = tapCatalogs(pagesDir, configFor(1), columns.map((c) => c.name)).singer;
    const read = (concurrency: number) => {
      const name = concurrency === 1 ? 'pages: tap, sequential locators @20MB/s/conn' : `pages: tap, resultPages ×${concurrency} @20MB/s/conn`;
      const run = spawnTap(name, ['--config', configFor(concurrency), '--catalog', catalog], records);
      const seconds = downloadSeconds(run.stderr);
      return { name, records, seconds, recordsPerSecond: records / seconds, peakRssMb: run.peakRssMb, whole: run.seconds };
    };
    read(1);
    const sequential = read(1);
    const note = (r: ReturnType<typeof read>, what: string) => `${(sequential.seconds / r.seconds).toFixed(2)}× sequential (${what}); whole run ${r.whole.toFixed(1)} s`;
    const row = ({ whole, ...r }: ReturnType<typeof read>, text: string): Result => ({ ...r, note: text });
    return [
      row(sequential, `download ${sequential.seconds.toFixed(1)} s; whole run ${sequential.whole.toFixed(1)} s`),
      ...[3, 4, 5].map((concurrency) => {
        const r = read(concurrency);
        return row(r, note(r, concurrency === 3 ? '3 connections, the default' : `result_page_concurrency ${concurrency}`));
      }),
    ];
  } finally {
    child.kill('SIGTERM');
  }
}

/** Discovery of a big org: 1,000 extra objects, every call 100 ms late, as the CLI runs it. */
async function discovery(dir: string): Promise<Result> {
  const { info, child } = await startEmulator(['--records', '10', '--extra-objects', '1000', '--latency-ms', '100']);
  try {
    const config = join(dir, 'discover-config.json');
    writeFileSync(config, JSON.stringify(info.tap_config));
    const started = process.hrtime.bigint();
    const run = spawnSync(process.execPath, [cli, '--config', config, '--discover'], { maxBuffer: 512 << 20 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (run.status !== 0) throw new Error(`discover failed: ${run.stderr.toString().slice(-1000)}`);
    const streams = (JSON.parse(run.stdout.toString()) as { streams: unknown[] }).streams.length;
    return { name: 'discover: 1,000+ objects @100ms/call', records: streams, seconds, recordsPerSecond: streams / seconds, note: `${seconds.toFixed(2)} s for ${streams} streams (process start and login included)` };
  } finally {
    child.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const options = args();
  if (options.node) {
    // Everything (emulator, ceiling, jsforce, the tap) on that Node, so the ratios compare like with like.
    const argv = process.argv.slice(2);
    argv.splice(argv.indexOf('--node'), 2);
    const run = spawnSync(options.node, [fileURLToPath(import.meta.url), ...argv], { stdio: 'inherit' });
    if (run.error) throw new Error(`--node ${options.node}: ${run.error.message}`);
    process.exitCode = run.status ?? 1;
    return;
  }
  const results: Result[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'tap-bench-'));
  const sizes = [options.records, ...(options.big ? [options.big] : [])];
  for (const records of sizes) {
    // Clients that send no maxRecords (jsforce) get pages of 100k rows, as Salesforce caps pages by size.
    // Up to 1M rows the emulator keeps rendered pages (a few hundred MB), so after one warm-up pass
    // it serves them at memory speed and the runs measure the tap, not the emulator's rendering.
    const cached = records <= 1_000_000;
    const { info, child } = await startEmulator(['--records', String(records), '--bulk-job-delay-ms', '50', '--bulk-default-page-rows', '100000', ...(cached ? ['--bulk-result-cache-mb', '3000'] : [])]);
    try {
      const session = await login(info);
      const columns = await benchColumns(session);
      if (cached) await ceiling(session, columns);
      const config = join(dir, 'config.json');
      writeFileSync(config, JSON.stringify({ ...info.tap_config, include_deleted: true, max_records: 100_000 }));
      if (options.only.has('read')) {
        const catalogs = tapCatalogs(dir, config, columns.map((c) => c.name));
        // The tap's SOQL lists the columns in its own order: a page cache of its own to warm.
        if (cached) runTap('warm-up', ['--config', config, '--catalog', catalogs.singer], records);
        const airbyte = ['read', '--config', config, '--catalog', catalogs.airbyte];
        const profile = options.cpuProf ? { cpuProf: options.cpuProf } : {};
        // Past 1M rows the emulator renders every page as it serves it: those runs compare memory, not speed.
        const uncached = 'emulator renders as it serves (no page cache): for peak RSS';
        const note = cached ? {} : { note: uncached };
        results.push({ ...runTap(`tap read (Airbyte) ${records}`, airbyte, records, profile), ...note });
        results.push({ ...runTap(`tap read (Singer) ${records}`, ['--config', config, '--catalog', catalogs.singer], records, profile), ...note });
        if (cached) results.push({ ...runTap(`tap read (Singer) ${records} | cat`, ['--config', config, '--catalog', catalogs.singer], records, { piped: true }), note: 'stdout through a pipe into cat on the same CPUs' });
        if (IMAGE_SETTINGS) results.push({ ...runTap(`tap read (Airbyte) ${records}, runtime defaults`, airbyte, records, { runtimeDefaults: true }), note: `without ${IMAGE_SETTINGS}${cached ? '' : `; ${uncached}`}` });
        if (cached) {
          // What a real org sends: gzipped pages (the emulator keeps them gzipped after the warm-up).
          const gzipConfig = join(dir, 'config-gzip.json');
          writeFileSync(gzipConfig, JSON.stringify({ ...info.tap_config, include_deleted: true, max_records: 100_000, compression: 'gzip' }));
          runTap('warm-up, gzip', ['--config', gzipConfig, '--catalog', catalogs.singer], records);
          results.push({ ...runTap(`tap read (Singer) ${records}, gzip`, ['--config', gzipConfig, '--catalog', catalogs.singer], records), note: 'compression: gzip' });
          results.push({ ...runTap(`tap read (Singer) ${records}, REST`, ['--config', restConfig(dir, info), '--catalog', catalogs.singer], records), note: 'api_type REST: peak RSS (goal <= 150 MB)' });
        }
      }
      if (records === options.records && options.only.has('ceiling')) {
        results.push(await ceiling(session, columns));
        await ceiling(session, columns, true);
        results.push(await ceiling(session, columns, true));
      }
    } finally {
      child.kill('SIGTERM');
    }
  }
  if (options.only.has('jsforce')) {
    // jsforce's bulk2.query keeps a whole results page and its records in memory: 1M rows of 60
    // columns exhaust a 4 GB heap, so it reads 200k rows (the rate is what is compared).
    const { info, child } = await startEmulator(['--records', String(Math.min(options.records, JSFORCE_RECORDS)), '--bulk-job-delay-ms', '50', '--bulk-default-page-rows', '100000']);
    try {
      results.push(await jsforceReader(info, await benchColumns(await login(info))));
    } finally {
      child.kill('SIGTERM');
    }
  }
  if (options.only.has('pages')) results.push(...(await pages(dir)));
  if (options.only.has('engines')) {
    const catalogFor = async (info: EmulatorInfo, config: string) => tapCatalogs(dir, config, (await benchColumns(await login(info))).map((c) => c.name)).singer;
    results.push(...(await engines(dir, options.engineRecords, { startEmulator, catalogFor, runTap }, options.engines)));
  }
  if (options.only.has('discover')) results.push(await discovery(dir));
  // `planner` runs both of its rows; `planner-load` or `planner-incremental` one of them.
  const plannerParts = new Set(['load', 'incremental'].filter((part) => options.only.has('planner') || options.only.has(`planner-${part}`)));
  if (plannerParts.size > 0) results.push(...(await plannerBench(dir, options.plannerRows, plannerParts, options.plannerGzip)));
  if (options.only.has('cdc')) results.push(...(await changeEventRows(dir)));

  // A gzip read is held against the gzip ceiling; a REST read against none.
  const ceilingOf = (r: Result) => (r.name.endsWith('REST') ? undefined : results.find((c) => c.name.startsWith('ceiling') && c.name.endsWith('gzip') === r.name.endsWith('gzip')));
  const js = results.find((r) => r.name.startsWith('jsforce'));
  const rows = results.map((r) => ({
    ...r,
    ofCeiling: ceilingOf(r) && r.name.startsWith('tap') ? r.recordsPerSecond / ceilingOf(r)!.recordsPerSecond : undefined,
    vsJsforce: js && r.name.startsWith('tap') ? r.recordsPerSecond / js.recordsPerSecond : undefined,
  }));
  // The previous run's rates on the same Node, so a change shows as a ratio (×prev).
  type Stored = Result & { at?: string; node?: string };
  const key = (r: Stored) => `${r.node ?? ''} ${r.name}`;
  const resultsFile = join(root, 'bench', 'results.json');
  const previous = new Map<string, Stored>();
  try {
    const file = JSON.parse(readFileSync(resultsFile, 'utf8')) as { at?: string; node?: string; results: Stored[] };
    for (const r of file.results) {
      const stored = { ...r, ...(file.at && !r.at ? { at: file.at } : {}), ...(file.node && !r.node ? { node: file.node } : {}) };
      previous.set(key(stored), stored);
    }
  } catch {
    // No earlier run.
  }
  const at = new Date().toISOString();
  const measured = rows.map((r) => ({ ...r, node: process.version, at }));
  const pad = (s: string, n: number) => s.padEnd(n);
  process.stdout.write(`Node ${process.version}, ${cpus().length} CPUs\n`);
  process.stdout.write(`${pad('benchmark', 46)}${pad('records', 10)}${pad('rec/s', 10)}${pad('MB/s', 8)}${pad('RSS MB', 8)}${pad('×ceil', 7)}${pad('×jsforce', 9)}${pad('×prev', 7)}note\n`);
  for (const r of measured) {
    const before = previous.get(key(r));
    process.stdout.write(
      `${pad(r.name, 46)}${pad(String(r.records), 10)}${pad(Math.round(r.recordsPerSecond).toString(), 10)}${pad(r.mbPerSecond?.toFixed(1) ?? '', 8)}${pad(r.peakRssMb?.toFixed(0) ?? '', 8)}${pad(r.ofCeiling?.toFixed(2) ?? '', 7)}${pad(r.vsJsforce?.toFixed(1) ?? '', 9)}${pad(before ? (r.recordsPerSecond / before.recordsPerSecond).toFixed(2) : '', 7)}${r.note ?? ''}\n`,
    );
  }
  // Rows this run did not measure (--only, another Node) are kept from earlier runs, each with its time and Node.
  const fresh = new Set(measured.map(key));
  const kept = [...previous.values()].filter((r) => !fresh.has(key(r)));
  writeFileSync(resultsFile, `${JSON.stringify({ results: [...measured, ...kept] }, null, 2)}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
