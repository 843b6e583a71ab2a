import { describe, expect, it } from 'vitest';
import { proxyFromEnv } from '../../../src/cli/run-cli.js';
import { secrets } from '../../../src/core/secrets.js';

describe('proxyFromEnv', () => {
  it('reads the proxy env vars in either case and treats proxy passwords as secrets', () => {
    expect(proxyFromEnv({ https_proxy: 'http://user:pr0xy-pass@proxy:3128', NO_PROXY: 'localhost' })).toEqual({ httpsProxy: 'http://user:pr0xy-pass@proxy:3128', noProxy: 'localhost' });
    expect(secrets.redact('pr0xy-pass')).toBe('***');
    expect(proxyFromEnv({ NO_PROXY: 'x' })).toBeUndefined();
  });
});
