/**
 * Where a real sync spends its time: job latency, job count and API calls. The tap's CLI against
 * an emulator with Salesforce-like latency (every call `LATENCY_MS` late, each Bulk job
 * `JOB_MS` from creation to completion, each connection capped at `BANDWIDTH`), the data-driven
 * planner against the calendar one (`planner: sequential`) in the same run:
 * - initial load of 10 objects with `start_date` 2000-01-01;
 * - an incremental run over 200 more objects with a few rows changed: wall time and API calls
 *   (DailyApiRequests used, as /limits counts them: a Composite request is one call);
 * - a REST read (`api_type: REST`): peak RSS.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLI, startEmulator, spawnTap, type EmulatorInfo, type Result } from './tap-process.js';

const LATENCY_MS = 50;
const JOB_MS = 3000;
const BANDWIDTH = 20 * 1024 * 1024;
const API = '65.0';
/** Ten objects that Bulk API 2.0 reads (Invoice__c's base64 field sends it to REST). */
const TEN = ['Account', 'Contact', 'Opportunity', 'Lead', 'OpportunityLineItem', 'Case', 'Campaign', 'Product2', 'PricebookEntry', 'User'];

async function session(info: EmulatorInfo): Promise<{ token: string; instance: string }> {
  const body = new URLSearchParams({ grant_type: 'password', client_id: info.client_id, client_secret: info.client_secret, username: info.username, password: info.password + info.security_token });
  const res = await fetch(`${info.login_url}/services/oauth2/token`, { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  const json = (await res.json()) as { access_token: string; instance_url: string };
  return { token: json.access_token, instance: json.instance_url };
}

async function call<T>(s: { token: string; instance: string }, path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const res = await fetch(`${s.instance}/services/data/v${API}/${path}`, { method: init.method ?? 'GET', headers: { authorization: `Bearer ${s.token}`, 'content-type': 'application/json' }, ...(init.body ? { body: JSON.stringify(init.body) } : {}) });
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

/** DailyApiRequests used so far (the /limits call itself included). */
async function apiCallsUsed(s: { token: string; instance: string }): Promise<number> {
  const limits = await call<{ DailyApiRequests: { Max: number; Remaining: number } }>(s, 'limits');
  return limits.DailyApiRequests.Max - limits.DailyApiRequests.Remaining;
}

/** Rows of the objects, as the org counts them. */
async function countRows(s: { token: string; instance: string }, objects: string[]): Promise<number> {
  let total = 0;
  for (const o of objects) total += (await call<{ totalSize: number }>(s, `queryAll?q=${encodeURIComponent(`SELECT COUNT() FROM ${o}`)}`)).totalSize;
  return total;
}

export async function plannerBench(dir: string, records: number): Promise<Result[]> {
  const results: Result[] = [];
  const latency = ['--latency-ms', String(LATENCY_MS), '--bulk-job-delay-ms', String(JOB_MS), '--bandwidth', String(BANDWIDTH)];
  {
    const { info, child } = await startEmulator(['--records', String(records), ...latency]);
    try {
      const s = await session(info);
      const rows = await countRows(s, TEN);
      const runs = ['sequential', 'adaptive'].map((planner) => {
        const config = join(dir, `initial-${planner}.json`);
        writeFileSync(config, JSON.stringify({ ...info.tap_config, start_date: '2000-01-01T00:00:00Z', include_deleted: true, streams_include: TEN, planner }));
        return { planner, run: spawnTap(`initial load, ${planner}`, ['--config', config], rows) };
      });
      const [sequential, adaptive] = runs.map((r) => r.run);
      // One job's latency plus the bytes over the connections the run may use at once, without the per-call latency.
      results.push({ name: `planner: initial load 10 objects, sequential`, records: rows, seconds: sequential!.seconds, recordsPerSecond: rows / sequential!.seconds, peakRssMb: sequential!.peakRssMb, note: `calendar windows (365 days), one job after another; jobs ${JOB_MS} ms, calls +${LATENCY_MS} ms` });
      results.push({ name: `planner: initial load 10 objects, adaptive`, records: rows, seconds: adaptive!.seconds, recordsPerSecond: rows / adaptive!.seconds, peakRssMb: adaptive!.peakRssMb, note: `${(sequential!.seconds / adaptive!.seconds).toFixed(2)}× faster than sequential in this run` });
    } finally {
      child.kill('SIGTERM');
    }
  }
  {
    const { info, child } = await startEmulator(['--records', '200', '--extra-objects', '200', ...latency]);
    try {
      const s = await session(info);
      const objects = Array.from({ length: 200 }, (_, i) => `Generated_${String(i + 1).padStart(4, '0')}__c`);
      const measure = (planner: string) => {
        const config = join(dir, `incremental-${planner}.json`);
        const statePath = join(dir, `state-${planner}.json`);
        const settings = { ...info.tap_config, include_deleted: true, streams_include: objects, stream_concurrency: 16 };
        writeFileSync(config, JSON.stringify({ ...settings, planner }));
        // The first run only makes the state the measured run starts from.
        const firstConfig = join(dir, `first-${planner}.json`);
        writeFileSync(firstConfig, JSON.stringify({ ...settings, planner: 'adaptive' }));
        const first = spawnSync(process.execPath, [CLI, '--config', firstConfig], { maxBuffer: 512 << 20 });
        const lastState = first.stdout.toString().trim().split('\n').filter((l) => l.includes('"type":"STATE"')).at(-1);
        if (first.status !== 0 || !lastState) throw new Error(`incremental bench: the first run failed: ${first.stderr.toString().slice(-1000)}`);
        writeFileSync(statePath, JSON.stringify((JSON.parse(lastState) as { value: unknown }).value));
        return { config, statePath };
      };
      const prepared = ['sequential', 'adaptive'].map((planner) => ({ planner, ...measure(planner) }));
      // 0.5% of the rows change (3 rows each in 200 objects: one row in every sixth object).
      for (let i = 0; i < objects.length; i += 6) {
        const page = await call<{ records: { Id: string }[] }>(s, `query?q=${encodeURIComponent(`SELECT Id FROM ${objects[i]} LIMIT 1`)}`);
        await call(s, `sobjects/${objects[i]}/${page.records[0]!.Id}`, { method: 'PATCH', body: { Name: 'changed' } });
      }
      const changed = Math.ceil(objects.length / 6);
      const counts: Record<string, { seconds: number; calls: number; rss: number }> = {};
      for (const { planner, config, statePath } of prepared) {
        const before = await apiCallsUsed(s);
        const run = spawnTap(`incremental, ${planner}`, ['--config', config, '--state', statePath], undefined);
        counts[planner] = { seconds: run.seconds, calls: (await apiCallsUsed(s)) - before - 1, rss: run.peakRssMb };
      }
      for (const planner of ['sequential', 'adaptive']) {
        const c = counts[planner]!;
        results.push({ name: `planner: incremental 200 objects, ${planner}`, records: changed, seconds: c.seconds, recordsPerSecond: objects.length / c.seconds, peakRssMb: c.rss, note: `${c.calls} API calls (budget 0.25 × 200 + 10 = 60); ${c.seconds.toFixed(1)} s; rate is objects/s` });
      }
    } finally {
      child.kill('SIGTERM');
    }
  }
  {
    const { info, child } = await startEmulator(['--records', String(records)]);
    try {
      const rows = await countRows(await session(info), ['Account']);
      const config = join(dir, 'rest.json');
      writeFileSync(config, JSON.stringify({ ...info.tap_config, include_deleted: true, streams_include: ['Account'], api_type: 'REST' }));
      const run = spawnTap('REST read', ['--config', config], rows);
      results.push({ name: `planner: REST read Account ${rows}`, records: rows, seconds: run.seconds, recordsPerSecond: rows / run.seconds, peakRssMb: run.peakRssMb, note: 'api_type REST: peak RSS (goal <= 150 MB)' });
    } finally {
      child.kill('SIGTERM');
    }
  }
  return results;
}
