import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { SalesforceClient } from '../../../../src/salesforce/client.js';
import { JobPace } from '../../../../src/salesforce/bulk2/job-pace.js';
import { waitForJob } from '../../../../src/salesforce/bulk2/jobs.js';

describe('JobPace', () => {
  it('predicts nothing until it saw jobs of two sizes', () => {
    const pace = new JobPace();
    expect(pace.predict(1000)).toBeUndefined();
    pace.observe(1000, 3000);
    pace.observe(1000, 3100);
    expect(pace.predict(1000)).toBeUndefined();
    pace.observe(undefined, 4000);
    pace.observe(2000, undefined);
    expect(pace.predict(1000)).toBeUndefined();
  });

  it('fits start latency and scan rate from the jobs seen done', () => {
    const pace = new JobPace();
    // 3 s to start, then 50,000 rows/s.
    for (const rows of [265_000, 132_000, 40_000]) pace.observe(rows, 3000 + rows / 50);
    expect(pace.predict(500_000)).toBeCloseTo(13_000, 0);
    expect(pace.predict(0)).toBeCloseTo(3000, 0);
  });

  it('goes through the origin rather than predict a negative start, and refuses a falling line', () => {
    const through = new JobPace();
    through.observe(1000, 100);
    through.observe(3000, 900);
    expect(through.predict(2000)).toBeGreaterThan(0);
    const falling = new JobPace();
    falling.observe(1000, 5000);
    falling.observe(5000, 1000);
    expect(falling.predict(3000)).toBeUndefined();
  });
});

describe('waitForJob with a pace', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  /** A job done `doneAt` ms after the wait starts; records when it was polled, from its start. */
  function fakeJob(doneAt: number, rows: number) {
    const polls: number[] = [];
    const start = Date.now();
    const client = {
      json: async () => {
        polls.push(Date.now() - start);
        return Date.now() - start >= doneAt
          ? { id: 'j', state: 'JobComplete', numberRecordsProcessed: rows, totalProcessingTime: doneAt }
          : { id: 'j', state: 'InProgress' };
      },
    } as unknown as SalesforceClient;
    return { client, polls };
  }

  /** A pace that saw two jobs: 3 s to start, then 50 rows/ms. */
  function learned(): JobPace {
    const pace = new JobPace();
    pace.observe(100_000, 5000);
    pace.observe(200_000, 7000);
    return pace;
  }

  const options = { signal: new AbortController().signal, timeoutMs: 60_000, pollInitialMs: 200, pollMaxMs: 10_000 };

  it('polls once more when the job should be done, and learns from every job it sees done', async () => {
    const pace = learned();
    // 3 s + 50 rows/ms: 150,000 rows are done at 6,000 ms. The backoff alone polls at 5,156 and 6,642.
    const paced = fakeJob(6000, 150_000);
    const done = waitForJob(paced.client, 'j', { ...options, pace, expectedRows: 150_000 });
    await vi.runAllTimersAsync();
    expect((await done).state).toBe('JobComplete');
    expect(paced.polls.at(-1)).toBe(6100);

    const blind = fakeJob(6000, 150_000);
    const without = waitForJob(blind.client, 'j', options);
    await vi.runAllTimersAsync();
    await without;
    expect(blind.polls.at(-1)).toBeGreaterThan(6500);
    expect(paced.polls.length).toBeLessThanOrEqual(blind.polls.length);

    // The paced job was seen done: the line now holds three points.
    pace.observe(400_000, 11_000);
    expect(pace.predict(300_000)).toBeCloseTo(9000, -2);
  });

  it('polls again soon when the job is late for its predicted end', async () => {
    const pace = learned();
    // Predicted 6,000 ms; the job waited in the org's queue and is done at 6,700.
    const late = fakeJob(6700, 150_000);
    const done = waitForJob(late.client, 'j', { ...options, pace, expectedRows: 150_000 });
    await vi.runAllTimersAsync();
    await done;
    const missed = late.polls.indexOf(6100);
    expect(missed).toBeGreaterThan(0);
    // Then a twentieth of the prediction (300 ms), growing by the poll factor.
    expect(late.polls.slice(missed + 1, missed + 3)).toEqual([6400, 6775]);
    expect(late.polls.at(-1)).toBe(6775);
  });
});
