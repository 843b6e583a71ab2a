import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createProgress, renderStreamLine } from '../../../src/io/progress.js';
import { buildRequestTimer, encodeMetric, endpointOf } from '../../../src/protocol/singer/metrics.js';

describe('progress lines', () => {
  it('shows rows, share, rate and ETA when the total is known', () => {
    expect(renderStreamLine('Account', { rows: 12_345, estimate: 25_000, startedAt: 0 }, 2_000, 8)).toBe('Account   12,345 / 25,000 rows  49%  6,173 rows/s  ETA 2s');
  });
  it('shows rows and rate without a total, and the outcome once done', () => {
    expect(renderStreamLine('Contact', { rows: 500, startedAt: 0 }, 1_000, 7)).toBe('Contact  500 rows  500 rows/s');
    expect(renderStreamLine('Contact', { rows: 500, startedAt: 0, endedAt: 250_000, status: 'COMPLETE' }, 999_999, 7)).toBe('Contact  500 rows  done in 4m10s (2 rows/s)');
    expect(renderStreamLine('Lead', { rows: 0, startedAt: 0, endedAt: 0, status: 'INCOMPLETE' }, 5, 4)).toBe('Lead  0 rows  INCOMPLETE in 0s');
  });
});

describe('createProgress', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('on a terminal, redraws the stream lines in place and prints log text above them', () => {
    vi.useFakeTimers();
    const tty = Object.assign(new PassThrough(), { columns: 100, isTTY: true });
    let out = '';
    tty.on('data', (c: Buffer) => (out += c.toString()));
    const progress = createProgress({ mode: 'tty', stderr: tty, now: () => Date.now() });
    progress.streamStarted('Account');
    progress.estimate('Account', 1000);
    progress.records('Account', 250);
    vi.advanceTimersByTime(250);
    expect(out).toContain('Account  250 / 1,000 rows  25%');
    progress.interleave(() => tty.write('2026-11-22T00:00:00Z INFO a log line\n'));
    progress.records('Account', 750);
    progress.streamEnded('Account', 'COMPLETE');
    progress.close();
    expect(out).toContain('a log line');
    expect(out.lastIndexOf('Account  1,000 rows  done')).toBeGreaterThan(out.indexOf('a log line'));
    // Erase sequences: the frame is redrawn, not appended.
    expect(out).toContain('\u001b[');
  });

  it('off a terminal, logs a summary of the running streams at its interval, and nothing once they end', () => {
    vi.useFakeTimers();
    const logs: string[] = [];
    const progress = createProgress({ mode: 'log', log: (m) => logs.push(m), intervalMs: 30_000, now: () => Date.now() });
    progress.streamStarted('Account');
    progress.records('Account', 100);
    vi.advanceTimersByTime(30_000);
    expect(logs).toEqual([expect.stringMatching(/^Progress: Account 100 rows \d+ rows\/s$/)]);
    progress.streamEnded('Account', 'COMPLETE');
    vi.advanceTimersByTime(60_000);
    expect(logs).toHaveLength(1);
    progress.close();
  });
});

describe('Singer metrics', () => {
  it('names endpoints without ids or query strings', () => {
    expect(endpointOf('https://acme.my.salesforce.com/services/data/v65.0/jobs/query/7505e00000AbCdEAAV/results?locator=abc&maxRecords=5')).toBe('jobs/query/:id/results');
    expect(endpointOf('https://acme.my.salesforce.com/services/data/v65.0/queryAll?q=SELECT+Id+FROM+Account')).toBe('queryAll');
    expect(endpointOf('https://login.salesforce.com/services/oauth2/token')).toBe('oauth2/token');
    expect(endpointOf('https://acme.my.salesforce.com/services/data/v65.0/sobjects/Account/describe')).toBe('sobjects/Account/describe');
  });
  it('writes timers and counters as singer-python does', () => {
    expect(encodeMetric(buildRequestTimer({ method: 'GET', url: 'https://x.my.salesforce.com/services/data/v65.0/limits', status: 200, seconds: 0.1234567 }))).toBe(
      'METRIC: {"type":"timer","metric":"http_request_duration","value":0.123457,"tags":{"endpoint":"limits","http_method":"GET","http_status_code":200,"status":"succeeded"}}',
    );
    expect(buildRequestTimer({ method: 'POST', url: 'https://x/services/data/v65.0/jobs/query', seconds: 1 }).tags.status).toBe('failed');
  });
});

describe('createProgress on a terminal, edge cases', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const terminal = () => {
    const tty = Object.assign(new PassThrough(), { columns: 100, rows: 30, isTTY: true });
    const writes: string[] = [];
    tty.on('data', (c: Buffer) => writes.push(c.toString()));
    return { tty, writes };
  };

  it('writes nothing when no stream ever started (spec, discover, errors before the read)', () => {
    vi.useFakeTimers();
    const { tty, writes } = terminal();
    const progress = createProgress({ mode: 'tty', stderr: tty, now: () => Date.now() });
    vi.advanceTimersByTime(1_000);
    progress.interleave(() => tty.write('ERROR something\n'));
    progress.close();
    expect(writes.join('')).toBe('ERROR something\n');
  });

  it('redraws at most five times a second however many log lines arrive', () => {
    vi.useFakeTimers();
    const { tty, writes } = terminal();
    const progress = createProgress({ mode: 'tty', stderr: tty, now: () => Date.now() });
    progress.streamStarted('Account');
    for (let i = 0; i < 100; i += 1) {
      progress.records('Account', 10);
      progress.interleave(() => tty.write(`INFO line ${i}\n`));
      vi.advanceTimersByTime(10);
    }
    // 100 log lines over one second: the block is drawn about five times, not a hundred.
    const frames = writes.filter((w) => w.includes('Account ')).length;
    expect(frames).toBeGreaterThan(2);
    expect(frames).toBeLessThanOrEqual(7);
    progress.close();
    expect(writes.join('').lastIndexOf('Account  1,000 rows')).toBeGreaterThan(writes.join('').lastIndexOf('INFO line 99'));
  });
});

describe('createProgress off a terminal', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('logs one summary line per running stream, with share and ETA once the count is known', () => {
    vi.useFakeTimers();
    const logs: string[] = [];
    const progress = createProgress({ mode: 'log', log: (m) => logs.push(m), intervalMs: 30_000, now: () => Date.now() });
    progress.streamStarted('Account');
    progress.streamStarted('Contact');
    progress.estimate('Contact', 9_000);
    vi.advanceTimersByTime(10_000);
    progress.records('Account', 100);
    progress.records('Contact', 3_000);
    vi.advanceTimersByTime(20_000);
    expect(logs).toEqual(['Progress: Account 100 rows 3 rows/s', 'Progress: Contact 3,000 / 9,000 rows 33% 100 rows/s ETA 1m00s']);
    progress.close();
  });

  it('is silent when off', () => {
    vi.useFakeTimers();
    const logs: string[] = [];
    const progress = createProgress({ mode: 'off', log: (m) => logs.push(m) });
    progress.streamStarted('Account');
    progress.records('Account', 5);
    vi.advanceTimersByTime(120_000);
    progress.close();
    expect(logs).toEqual([]);
  });
});
