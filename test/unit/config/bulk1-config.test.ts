import { describe, expect, it } from 'vitest';
import { TapError } from '../../../src/core/errors.js';
import { DEFAULTS } from '../../../src/core/defaults.js';
import { parseConfig } from '../../../src/config/parse-config.js';

const oauth = { client_id: 'cid', client_secret: 'csecret-123', refresh_token: 'rtoken-456' };

describe('Bulk API 1.0 settings', () => {
  it('reads api_type BULK1 with PK chunking on at Salesforce\'s default chunk size', () => {
    const c = parseConfig({ ...oauth, api_type: 'BULK1' });
    expect(c.api).toBe('bulk1');
    expect(c.pkChunkSize).toBe(DEFAULTS.pkChunkSize);
    expect(DEFAULTS.pkChunkSize).toBe(100_000);
    expect(parseConfig({ ...oauth, api_type: 'bulk1', pk_chunk_size: 250_000 }).pkChunkSize).toBe(250_000);
    expect(parseConfig({ ...oauth, api_type: 'BULK1', pk_chunking: false }).pkChunkSize).toBeUndefined();
    // Meltano hands settings over as strings.
    expect(parseConfig({ ...oauth, api_type: 'BULK1', pk_chunking: 'false', pk_chunk_size: '5000' }).pkChunkSize).toBeUndefined();
    expect(parseConfig({ ...oauth, api_type: 'BULK1', pk_chunking: 'true', pk_chunk_size: '5000' }).pkChunkSize).toBe(5000);
  });

  it('keeps the values users already run: BULK and BULK2 are Bulk API 2.0, REST is REST', () => {
    expect(parseConfig({ ...oauth, api_type: 'BULK' }).api).toBe('bulk');
    expect(parseConfig({ ...oauth, api_type: 'BULK2' }).api).toBe('bulk');
    expect(parseConfig({ ...oauth, api_type: 'REST' }).api).toBe('rest');
    expect(parseConfig(oauth).api).toBe('auto');
  });

  it('refuses a chunk size Salesforce refuses', () => {
    for (const size of [0, 250_001]) {
      let error: unknown;
      try {
        parseConfig({ ...oauth, api_type: 'BULK1', pk_chunk_size: size });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(TapError);
      expect((error as TapError).message).toContain('`pk_chunk_size`');
    }
  });
});
