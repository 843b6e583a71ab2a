/**
 * Keeping a rotated refresh token. With refresh token rotation every login answers with a new,
 * single-use refresh token: losing it means the next run cannot log in. The change is merged into
 * the config as the user wrote it (Airbyte's nested `credentials` layout stays nested), and a
 * Singer config file is rewritten atomically (temp file + rename, mode 0600) so a crash never
 * leaves half a file.
 */
import { randomBytes } from 'node:crypto';
import { chmod, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { ConfigError } from '../core/errors.js';

type Raw = Record<string, unknown>;

/** The raw config with `changes` applied where the user keeps those keys. */
export function mergeConfigChanges(raw: Raw, changes: Raw): Raw {
  const merged = structuredClone(raw);
  const nested = merged.credentials;
  const hasNested = nested !== null && typeof nested === 'object' && !Array.isArray(nested);
  for (const [key, value] of Object.entries(changes)) {
    const topLevelSet = merged[key] !== undefined && merged[key] !== '' && merged[key] !== null;
    if (hasNested && !topLevelSet && key in (nested as Raw)) (nested as Raw)[key] = value;
    else merged[key] = value;
  }
  return merged;
}

export async function writeConfigFileAtomic(path: string, config: Raw): Promise<void> {
  const temp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFile(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    // The umask may have narrowed the mode further; it can never have widened it, but be exact.
    await chmod(temp, 0o600);
    await rename(temp, path);
  } catch (error) {
    await rm(temp, { force: true });
    throw new ConfigError(
      'TAP_CONFIG_NOT_WRITABLE',
      `Could not save the rotated refresh token to ${path}: ${(error as Error).message}. Make the file writable, or the next run will need a new refresh token.`,
      { cause: error },
    );
  }
}
