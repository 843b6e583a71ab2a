import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/run-tap.js';

describe('npm run demo', () => {
  it('shows a full sync and an incremental sync that picks up exactly the changes made in between', () => {
    const run = spawnSync(process.execPath, [join(REPO_ROOT, 'dist', 'demo', 'run.js')], { encoding: 'utf8', timeout: 110_000 });
    expect(run.status, run.stderr).toBe(0);
    const incremental = run.stdout.slice(run.stdout.indexOf('(incremental)'));
    expect(incremental).toMatch(/Account\s+4 records \(1 deleted\)/);
    expect(incremental).toMatch(/Contact\s+1 records/);
    expect(incremental).toMatch(/Opportunity\s+0 records/);
  });
});
