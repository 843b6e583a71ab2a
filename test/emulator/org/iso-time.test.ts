import { describe, expect, it } from 'vitest';
import { isoTime } from '../../../emulator/org/iso-time.js';

describe('isoTime', () => {
  it('writes what Date#toISOString writes', () => {
    const samples = [0, -1, 1, 951_782_400_000, 951_868_799_999, 4_107_542_400_000, -62_167_219_200_000, 253_402_300_799_999, Date.UTC(2024, 1, 29, 23, 59, 59, 999), Date.UTC(1900, 2, 1), Date.UTC(2100, 1, 28, 12)];
    let x = 0x2545f491;
    for (let i = 0; i < 20_000; i += 1) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      samples.push(Math.floor(((x >>> 0) / 2 ** 32) * 2 * 4_102_444_800_000) - 4_102_444_800_000);
    }
    for (const ms of samples) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });

  it('hands years outside 0000–9999 to Date', () => {
    for (const ms of [-62_167_219_200_001, 253_402_300_800_000, 8.64e15]) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });
});
