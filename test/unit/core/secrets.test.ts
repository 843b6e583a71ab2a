import { describe, expect, it } from 'vitest';
import { SecretRegistry } from '../../../src/core/secrets.js';

describe('SecretRegistry', () => {
  it('masks a registered value wherever it appears, also URL-encoded', () => {
    const s = new SecretRegistry();
    s.register('p@ss w0rd&token');
    expect(s.redact('login failed for p@ss w0rd&token')).toBe('login failed for ***');
    expect(s.redact(`body=password=${encodeURIComponent('p@ss w0rd&token')}`)).toBe('body=password=***');
  });

  it('masks the longest secret first so no fragment survives', () => {
    const s = new SecretRegistry();
    s.register('abcd');
    s.register('abcdefgh');
    expect(s.redact('x abcdefgh y')).toBe('x *** y');
  });

  it('ignores values too short to be secrets', () => {
    const s = new SecretRegistry();
    s.register('ab');
    s.register(undefined);
    expect(s.size).toBe(0);
  });

  it('redacts cause chains and nested payloads', () => {
    const s = new SecretRegistry();
    s.register('00D000000000001!SESSIONSECRET');
    const err = new Error('outer', { cause: new Error('inner 00D000000000001!SESSIONSECRET') });
    expect(s.describeError(err)).not.toContain('SESSIONSECRET');
    expect(s.redactDeep({ a: ['00D000000000001!SESSIONSECRET'] })).toEqual({ a: ['***'] });
  });
});
