import { describe, expect, it } from 'vitest';
import { TapError } from '../../../src/core/errors.js';
import { secrets } from '../../../src/core/secrets.js';
import {
  buildCatalogMessage,
  buildConnectionStatusMessage,
  buildConnectorConfigMessage,
  buildErrorTraceMessage,
  buildEstimateTraceMessage,
  buildLogMessage,
  buildRecordMessage,
  buildSpecMessage,
  buildStreamStateMessage,
  buildStreamStatusTraceMessage,
  buildTapErrorTraceMessage,
  encodeAirbyteLine,
} from '../../../src/protocol/airbyte/messages.js';
import { airbyteMessageProblems, assertValidAirbyteLines } from '../../helpers/airbyte-validator.js';

describe('Airbyte message builders', () => {
  const all = [
    buildRecordMessage('Account', { Id: '001' }, 1714557600123.7),
    buildRecordMessage('Account', { Id: '001' }, 1, 'ns'),
    buildStreamStateMessage('Account', { SystemModstamp: '2024-05-01T10:00:00.000Z' }, 5),
    buildStreamStateMessage('Account', { __ab_full_refresh_sync_complete: true }, 0),
    buildLogMessage('INFO', 'hello', 'stack'),
    buildSpecMessage({ connectionSpecification: { type: 'object', properties: {} } }),
    buildConnectionStatusMessage('SUCCEEDED'),
    buildConnectionStatusMessage('FAILED', 'bad password'),
    buildCatalogMessage({ streams: [{ name: 'Account', json_schema: {}, supported_sync_modes: ['full_refresh'] }] }),
    buildErrorTraceMessage({ message: 'x', failure_type: 'config_error' }),
    buildTapErrorTraceMessage(new TapError('TAP_X', 'boom', { kind: 'transient', stream: 'Account', detail: 'd' })),
    buildEstimateTraceMessage('Account', { rows: 10.5 }),
    buildStreamStatusTraceMessage('Account', 'INCOMPLETE', { reasons: [{ type: 'RATE_LIMITED', rate_limited: { quota_reset: 1 } }] }),
    buildConnectorConfigMessage({ refresh_token: 'r' }),
  ];

  it('produces only messages valid per the protocol YAML with exactly their payload key', () => {
    const stdout = all.map(encodeAirbyteLine).join('');
    expect(assertValidAirbyteLines(stdout)).toHaveLength(all.length);
  });

  it('truncates RECORD emitted_at to an integer', () => {
    const m = buildRecordMessage('A', {}, 12.9);
    expect(m.type === 'RECORD' && m.record.emitted_at).toBe(12);
  });

  it('maps a TapError kind to its failure_type and stream descriptor', () => {
    const m = buildTapErrorTraceMessage(new TapError('TAP_X', 'boom', { kind: 'auth', stream: 'Lead' }));
    expect(m).toMatchObject({ trace: { type: 'ERROR', error: { failure_type: 'config_error', stream_descriptor: { name: 'Lead' }, internal_message: 'TAP_X' } } });
  });

  it('redacts registered secrets from error traces and log messages', () => {
    secrets.register('s3cr3t-value-xyz');
    const line = encodeAirbyteLine(buildTapErrorTraceMessage(new TapError('TAP_X', 'token s3cr3t-value-xyz refused', { detail: 's3cr3t-value-xyz' }), { withStack: true }))
      + encodeAirbyteLine(buildLogMessage('WARN', 'value s3cr3t-value-xyz'));
    expect(line).not.toContain('s3cr3t-value-xyz');
  });
});

describe('Airbyte validator', () => {
  it('rejects a message without its payload key', () => {
    expect(airbyteMessageProblems({ type: 'RECORD' })).not.toEqual([]);
  });
  it('rejects a message carrying another payload key', () => {
    expect(airbyteMessageProblems({ type: 'LOG', log: { level: 'INFO', message: 'm' }, record: null })).not.toEqual([]);
  });
  it('rejects a RECORD with a fractional emitted_at', () => {
    expect(airbyteMessageProblems({ type: 'RECORD', record: { stream: 'a', data: {}, emitted_at: 1.5 } })).not.toEqual([]);
  });
  it('rejects blank and non-JSON lines', () => {
    expect(() => assertValidAirbyteLines('\n')).toThrow();
    expect(() => assertValidAirbyteLines('hello\n')).toThrow();
  });
});
