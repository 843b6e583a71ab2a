/**
 * Records benchmark: a Bulk API 2.0 page body (300k rows × 60 columns, like
 * /work/shared/reference/perf-ceiling.md §1) decoded in 1 MiB chunks, in both decoder modes.
 *
 *   npx tsc -p tsconfig.build.json && node dist/bench/records.js [objects|json|all] [rows]
 *
 * - objects: typed records, then `JSON.stringify` per record joined into one string per batch
 *   and UTF-8 encoded, as the stdout writer would receive it;
 * - json: the byte path, whose batches are already JSON lines.
 *
 * The CSV is generated once (fixed seed) into the OS temp folder. Each mode runs in its own
 * process so its peak RSS is its own. Prints rows/s, CSV MB/s in, JSON MB/s out and peak RSS.
 */
import { spawnSync } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ValueKind } from '../src/catalog/types.js';
import { createRandom } from '../emulator/server/ids.js';
import { createPageDecoder, type DecoderSpec } from '../src/sync/records/page-decoder.js';

const CHUNK = 1 << 20;

interface Column {
  name: string;
  kind: ValueKind;
  make: (random: () => number, row: number) => string;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const WORDS = ['Acme', 'Global', 'Systems', 'Northwind', 'Contoso', 'Partners', 'Holdings', 'United', 'Media', 'Labs', 'Energy', 'Foods'];
const ACCENTED = ['Müller', 'Société', 'Ørsted', 'Łódź', 'São Paulo', 'Zürich', 'Crème'];
const CJK = ['東京株式会社', '北京科技', '서울상사'];
const PICKLIST = ['Prospect', 'Customer - Direct', 'Customer - Channel', 'Channel Partner / Reseller', 'Installation Partner', 'Technology Partner', 'Other'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function id(random: () => number, prefix: string): string {
  let s = prefix;
  while (s.length < 18) s += ALPHABET[Math.floor(random() * ALPHABET.length)];
  return s;
}

function words(random: () => number, count: number): string {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(pick(random, WORDS));
  return out.join(' ');
}

function name(random: () => number): string {
  const r = random();
  let s = words(random, 2 + Math.floor(random() * 2));
  if (r < 0.1) s += ', Inc.';
  if (r > 0.99) s = `"${s}"`;
  if (r > 0.3 && r < 0.305) s += '\nDivision';
  if (r > 0.5 && r < 0.54) s += ` ${pick(random, ACCENTED)}`;
  if (r > 0.7 && r < 0.702) s += ` ${pick(random, CJK)}`;
  return s;
}

function datetime(random: () => number): string {
  return new Date(Date.UTC(2015, 0, 1) + Math.floor(random() * 3e11)).toISOString();
}

function buildColumns(): Column[] {
  const columns: Column[] = [];
  const add = (count: number, base: string, kind: ValueKind, make: Column['make']) => {
    for (let i = 0; i < count; i++) columns.push({ name: `${base}${i === 0 ? '' : i}`, kind, make });
  };
  add(6, 'RefId', 'string', (random) => id(random, '001'));
  add(9, 'Picklist', 'string', (random) => pick(random, PICKLIST));
  columns.push({ name: 'Description', kind: 'string', make: (random) => (random() < 0.33 ? words(random, 30 + Math.floor(random() * 10)) : '') });
  columns.push({ name: 'BillingStreet', kind: 'string', make: (random) => (random() < 0.2 ? `${Math.floor(random() * 999)} Main St\nSuite ${Math.floor(random() * 99)}` : `${Math.floor(random() * 999)} Main St`) });
  columns.push({ name: 'Notes', kind: 'string', make: (random) => words(random, 4) });
  // Names carry the commas, quotes, line breaks, accents and CJK (perf-ceiling.md §1).
  columns.push({ name: 'Name', kind: 'string', make: (random) => name(random) });
  add(19, 'Text', 'string', (random) => words(random, 1 + Math.floor(random() * 3)));
  add(4, 'Flag', 'boolean', (random) => (random() < 0.5 ? 'true' : 'false'));
  add(6, 'Amount', 'number', (random) => String(Math.floor(random() * 1e9) / 100));
  add(3, 'Count', 'integer', (random) => String(Math.floor(random() * 100_000)));
  add(3, 'Day', 'date', (random) => datetime(random).slice(0, 10));
  add(6, 'Stamp', 'datetime', (random) => datetime(random));
  return columns;
}

async function writeBody(path: string, rows: number, columns: Column[]): Promise<void> {
  const random = createRandom(42);
  const partial = `${path}.partial`;
  const out = createWriteStream(partial);
  const lines: string[] = [columns.map((c) => `"${c.name}"`).join(',')];
  for (let row = 0; row < rows; row++) {
    const cells = columns.map((column) => {
      // About 23% of cells are empty, written `""` as Bulk does.
      const value = random() < 0.23 ? '' : column.make(random, row);
      return `"${value.replaceAll('"', '""')}"`;
    });
    lines.push(cells.join(','));
    if (lines.length >= 1000) {
      if (!out.write(lines.join('\n') + '\n')) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
      lines.length = 0;
    }
  }
  out.end(lines.length > 0 ? lines.join('\n') + '\n' : '');
  await new Promise<void>((resolve, reject) => out.on('finish', () => resolve()).on('error', reject));
  renameSync(partial, path);
}

async function runMode(mode: DecoderSpec['mode'], path: string, columns: Column[]): Promise<void> {
  const spec: DecoderSpec = {
    columns: columns.map((c) => ({ name: c.name, kind: c.kind })),
    output: columns.map((c, column) => ({ name: c.name, column })),
    mode,
  };
  const decoder = createPageDecoder(spec);
  let outBytes = 0;
  let records = 0;
  const take = (batch: ReturnType<typeof decoder.push>) => {
    records += batch.count;
    if (batch.json) outBytes += batch.json.length;
    else if (batch.objects) {
      // As a stdout writer gets them: lines joined into strings of about 64 KiB, UTF-8 encoded.
      let text = '';
      for (const record of batch.objects) {
        text += JSON.stringify(record) + '\n';
        if (text.length >= 1 << 16) {
          outBytes += Buffer.from(text).length;
          text = '';
        }
      }
      if (text.length > 0) outBytes += Buffer.from(text).length;
    }
  };
  const started = process.hrtime.bigint();
  for await (const chunk of createReadStream(path, { highWaterMark: CHUNK })) take(decoder.push(chunk as Buffer));
  take(decoder.end());
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const inBytes = statSync(path).size;
  const rss = process.resourceUsage().maxRSS / 1024;
  const line = [
    mode.padEnd(8),
    `${Math.round(records / seconds).toLocaleString('en-US').padStart(9)} rows/s`,
    `${(inBytes / 1e6 / seconds).toFixed(1).padStart(6)} MB/s CSV in`,
    `${(outBytes / 1e6 / seconds).toFixed(1).padStart(6)} MB/s JSON out`,
    `${seconds.toFixed(2)} s`,
    `peak RSS ${rss.toFixed(0)} MB`,
    `issues ${JSON.stringify(decoder.issues)}`,
  ].join('  ');
  process.stdout.write(`${line}\n`);
}

async function main(): Promise<void> {
  const [which = 'all', rowsArg = '300000'] = process.argv.slice(2);
  const rows = Number(rowsArg);
  const columns = buildColumns();
  const path = join(tmpdir(), `tap-salesforce-bench-records-v3-${rows}x${columns.length}.csv`);
  if (!existsSync(path)) {
    process.stdout.write(`generating ${rows} rows × ${columns.length} columns into ${path}\n`);
    await writeBody(path, rows, columns);
  }
  if (which === 'objects' || which === 'json') {
    await runMode(which, path, columns);
    return;
  }
  const size = statSync(path).size;
  process.stdout.write(`${rows} rows × ${columns.length} columns, ${(size / 1e6).toFixed(1)} MB (${Math.round(size / rows)} B/row), node ${process.version}\n`);
  for (const mode of ['objects', 'json']) {
    spawnSync(process.execPath, [fileURLToPath(import.meta.url), mode, rowsArg], { stdio: 'inherit' });
  }
}

await main();
