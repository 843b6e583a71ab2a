import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { runCheck } from '../../../src/commands/check.js';
import type { CommandContext } from '../../../src/commands/context.js';
import type { ProtocolAdapter } from '../../../src/protocol/adapter.js';
import { airbyteProtocol } from '../../../src/protocol/airbyte/adapter.js';
import { singerProtocol } from '../../../src/protocol/singer/adapter.js';
import { parseConfig } from '../../../src/config/parse-config.js';
import { TapError } from '../../../src/core/errors.js';
import { StreamLineWriter } from '../../../src/io/line-writer.js';
import { createLogger } from '../../../src/io/logger.js';
import { SalesforceApiError, type SalesforceClient } from '../../../src/salesforce/client.js';
import { assertValidAirbyteLines } from '../../helpers/airbyte-validator.js';

function context(protocol: ProtocolAdapter, client: () => Promise<SalesforceClient>) {
  const sink = new PassThrough();
  const chunks: Buffer[] = [];
  sink.on('data', (c: Buffer) => chunks.push(c));
  const logs: string[] = [];
  const ctx: CommandContext = {
    protocol,
    config: parseConfig({ client_id: 'c', refresh_token: 'r-token' }),
    client,
    out: new StreamLineWriter(sink),
    logger: createLogger({ write: (l) => logs.push(l), timestamps: false }),
    signal: new AbortController().signal,
    persistConfig: async () => {},
    debug: false,
  };
  return { ctx, stdout: async () => (await ctx.out.flush(), Buffer.concat(chunks).toString()), logs };
}

function fakeClient(answers: Record<string, unknown>): SalesforceClient {
  return {
    apiVersion: '65.0',
    instanceUrl: 'https://acme.my.salesforce.com',
    async json<T>(path: string): Promise<T> {
      const answer = answers[path];
      if (answer instanceof Error) throw answer;
      return answer as T;
    },
    stream: async () => {
      throw new Error('not used');
    },
    apiUsage: () => undefined,
  };
}

const ok = { sobjects: { sobjects: [{ name: 'Account', queryable: true }, { name: 'Feed', queryable: false }] }, limits: { DailyApiRequests: { Max: 100, Remaining: 40 } } };

describe('check', () => {
  it('reports one SUCCEEDED status with objects and API calls remaining', async () => {
    const { ctx, stdout } = context(airbyteProtocol, async () => fakeClient(ok));
    expect(await runCheck(ctx)).toBe(0);
    const messages = assertValidAirbyteLines(await stdout());
    expect(messages).toEqual([{ type: 'CONNECTION_STATUS', connectionStatus: { status: 'SUCCEEDED', message: expect.stringMatching(/1 queryable objects, 40 of 100/) } }]);
  });

  it.each([
    ['bad credentials', new TapError('SF_INVALID_GRANT', 'Login failed', { kind: 'auth' })],
    ['unreachable host', new TapError('TAP_HOST_NOT_FOUND', 'Cannot resolve', { kind: 'transient' })],
    ['API disabled', new SalesforceApiError(403, [{ errorCode: 'API_DISABLED_FOR_ORG', message: 'API is not enabled' }], 'API disabled', { kind: 'auth' })],
  ])('answers %s with exactly one FAILED status and exit 0', async (_name, error) => {
    const { ctx, stdout } = context(airbyteProtocol, async () => {
      throw error;
    });
    expect(await runCheck(ctx)).toBe(0);
    const messages = assertValidAirbyteLines(await stdout());
    expect(messages).toHaveLength(1);
    expect(messages[0]!.connectionStatus).toMatchObject({ status: 'FAILED' });
  });

  it('adds permission advice to INSUFFICIENT_ACCESS', async () => {
    const denied = new SalesforceApiError(403, [{ errorCode: 'INSUFFICIENT_ACCESS', message: 'insufficient access rights' }], 'GET limits: INSUFFICIENT_ACCESS');
    const { ctx, stdout } = context(airbyteProtocol, async () => fakeClient({ ...ok, limits: denied }));
    await runCheck(ctx);
    const [status] = assertValidAirbyteLines(await stdout());
    expect((status!.connectionStatus as { message: string }).message).toContain('View Setup and Configuration');
  });

  it('lets a fault of the tap itself through to the top level (TRACE, non-zero)', async () => {
    const { ctx, stdout } = context(airbyteProtocol, async () => {
      throw new TypeError('boom');
    });
    await expect(runCheck(ctx)).rejects.toMatchObject({ code: 'TAP_INTERNAL' });
    expect(await stdout()).toBe('');
  });

  it('Singer --test: nothing on stdout, the error kind decides the exit code', async () => {
    const { ctx, stdout, logs } = context(singerProtocol, async () => {
      throw new TapError('SF_INVALID_GRANT', 'Login failed', { kind: 'auth' });
    });
    expect(await runCheck(ctx)).toBe(4);
    expect(await stdout()).toBe('');
    expect(logs.join('')).toContain('SF_INVALID_GRANT');
  });
});
