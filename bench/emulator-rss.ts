/**
 * Serves Account rows through Bulk API 2.0 results to a client that discards them, and prints
 * rows/s and the emulator's peak RSS for 100k and for 1M rows: results stream from the org's lazy
 * rows, so memory must stay flat while the row count grows tenfold.
 *
 *   npm run build && node dist/bench/emulator-rss.js [--gzip] [--max-records N] [--cache-mb N]
 *
 * With --cache-mb the emulator keeps rendered result pages (--bulk-result-cache-mb) and the
 * results are read twice: the second pass shows what serving a cached query costs the emulator.
 *
 * The emulator runs as its own process (the built CLI) so its RSS is measured alone, from
 * /proc/<pid>/status (VmHWM = peak resident set): Linux only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';

const CLI = join(import.meta.dirname, '..', 'emulator', 'cli.js');
const SOQL = 'SELECT Id, Name, Type, Industry, AnnualRevenue, NumberOfEmployees, OwnerId, CreatedDate, SystemModstamp, IsDeleted FROM Account';

interface Ready {
  login_url: string;
  instance_url: string;
  client_id: string;
  client_secret: string;
  username: string;
  password: string;
  security_token: string;
}

function call(url: string, method: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const keep = !String(res.headers['content-type'] ?? '').startsWith('text/csv');
      const chunks: Buffer[] = [];
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (keep) chunks.push(c);
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8'), bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** utime + stime of a process in seconds, from /proc/<pid>/stat (clock ticks of 1/100 s). */
function cpuSeconds(child: ChildProcess): number {
  const fields = readFileSync(`/proc/${child.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function peakRssMb(child: ChildProcess): number {
  const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

interface Pass {
  rows: number;
  seconds: number;
  mb: number;
  /** CPU the emulator spent serving the pass. */
  cpuSeconds: number;
}

async function measure(records: number, gzip: boolean, maxRecords: number, cacheMb: number): Promise<{ passes: Pass[]; rssMb: number; rssBeforeMb: number }> {
  const cache = cacheMb > 0 ? ['--bulk-result-cache-mb', String(cacheMb)] : [];
  const child = spawn(process.execPath, [CLI, '--records', String(records), '--bulk-job-delay-ms', '0', ...cache], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const [line] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const ready = JSON.parse(line) as Ready;
    const login = await call(`${ready.login_url}/services/oauth2/token`, 'POST', { 'Content-Type': 'application/x-www-form-urlencoded' },
      new URLSearchParams({ grant_type: 'password', client_id: ready.client_id, client_secret: ready.client_secret, username: ready.username, password: ready.password + ready.security_token }).toString());
    const token = (JSON.parse(login.text) as { access_token: string }).access_token;
    const auth = { Authorization: `Bearer ${token}` };
    const base = `${ready.instance_url}/services/data/v62.0/jobs/query`;
    const created = await call(base, 'POST', { ...auth, 'Content-Type': 'application/json' }, JSON.stringify({ operation: 'query', query: SOQL }));
    const jobId = (JSON.parse(created.text) as { id: string }).id;
    await call(`${base}/${jobId}`, 'GET', auth);
    const rssBeforeMb = peakRssMb(child);
    const passes: Pass[] = [];
    for (let pass = 0; pass < (cacheMb > 0 ? 2 : 1); pass++) {
      const started = process.hrtime.bigint();
      const cpuBefore = cpuSeconds(child);
      let rows = 0;
      let bytes = 0;
      let locator = '';
      for (;;) {
        const page = await call(`${base}/${jobId}/results?maxRecords=${maxRecords}${locator ? `&locator=${locator}` : ''}`, 'GET', {
          ...auth,
          Accept: 'text/csv',
          ...(gzip ? { 'Accept-Encoding': 'gzip' } : {}),
        });
        rows += Number(page.headers['sforce-numberofrecords']);
        bytes += page.bytes;
        locator = String(page.headers['sforce-locator']);
        if (locator === 'null') break;
      }
      passes.push({ rows, seconds: Number(process.hrtime.bigint() - started) / 1e9, mb: bytes / 1_048_576, cpuSeconds: cpuSeconds(child) - cpuBefore });
    }
    return { passes, rssMb: peakRssMb(child), rssBeforeMb };
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}

const { values } = parseArgs({ options: { gzip: { type: 'boolean' }, 'max-records': { type: 'string' }, 'cache-mb': { type: 'string' } } });
const gzip = values.gzip ?? false;
const maxRecords = Number(values['max-records'] ?? 250_000);
const cacheMb = Number(values['cache-mb'] ?? 0);
process.stdout.write(`Bulk results, ${gzip ? 'gzip' : 'identity'}, maxRecords=${maxRecords}${cacheMb > 0 ? `, result cache ${cacheMb} MB` : ''}\n`);
const peaks: number[] = [];
for (const records of [100_000, 1_000_000]) {
  const r = await measure(records, gzip, maxRecords, cacheMb);
  peaks.push(r.rssMb);
  const [first, again] = r.passes as [Pass, Pass | undefined];
  process.stdout.write(
    `${records.toLocaleString('en-US').padStart(9)} Accounts: ${first.rows} rows in ${first.seconds.toFixed(2)} s = ${Math.round(first.rows / first.seconds).toLocaleString('en-US')} rows/s, ` +
      `${(first.mb / first.seconds).toFixed(1)} MB/s on the wire, emulator CPU ${first.cpuSeconds.toFixed(2)} s; emulator peak RSS ${r.rssBeforeMb.toFixed(0)} MB before results, ${r.rssMb.toFixed(0)} MB after\n`,
  );
  if (again) {
    process.stdout.write(`${''.padStart(9)}   again from the cache: ${again.seconds.toFixed(2)} s = ${Math.round(again.rows / again.seconds).toLocaleString('en-US')} rows/s, emulator CPU ${again.cpuSeconds.toFixed(2)} s\n`);
  }
}
const [small, large] = peaks as [number, number];
const growth = Math.round(((large - small) / small) * 100);
process.stdout.write(`Peak RSS: ${small.toFixed(0)} MB serving 100k rows, ${large.toFixed(0)} MB serving 1M rows (${growth >= 0 ? '+' : ''}${growth}%)\n`);
