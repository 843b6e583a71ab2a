import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertValidAirbyteLines } from '../helpers/airbyte-validator.js';
import { runTap } from '../helpers/run-tap.js';

// A login host that accepts connections and never answers: the run waits until it is signalled.
let server: Server;
let loginUrl: string;
beforeAll(async () => {
  server = createServer(() => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  loginUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
});

const config = () => ({ 'config.json': { client_id: 'cid', client_secret: 'sec-123456', refresh_token: 'ref-123456', login_url: loginUrl } });

describe('interruption', () => {
  it('exits 143 on SIGTERM with one transient TRACE in Airbyte mode', async () => {
    const run = await runTap(['check', '--config', '{file:config.json}'], { files: config(), signal: { name: 'SIGTERM', whenStderr: /Logging in/ } });
    expect(run.exitCode).toBe(143);
    const messages = assertValidAirbyteLines(run.stdout);
    expect(messages.filter((m) => m.type === 'CONNECTION_STATUS')).toHaveLength(0);
    expect(run.errors()).toEqual([expect.objectContaining({ failure_type: 'transient_error' })]);
  });

  it('exits 130 on SIGINT in Singer mode with nothing on stdout', async () => {
    const run = await runTap(['--config', '{file:config.json}', '--test'], { files: config(), signal: { name: 'SIGINT', whenStderr: /Logging in/ } });
    expect(run.exitCode).toBe(130);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('TAP_INTERRUPTED');
  });
});
