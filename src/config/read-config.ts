/**
 * Where raw config comes from: a `--config` file (or `-` for stdin), read through the bounded
 * JSON reader, and `TAP_SALESFORCE_<SETTING>` env vars (Meltano SDK's `--config ENV`).
 */
import type { Readable } from 'node:stream';
import { ConfigError } from '../core/errors.js';
import { describeJsonInput, readJsonInput } from '../core/json-input.js';
import { CONFIG_SCHEMA, ENV_PREFIX } from './schema.js';

type Raw = Record<string, unknown>;

/** Reads one `--config` source as a JSON object; `-` reads `stdin`. */
export async function readConfigFile(path: string, stdin?: Readable): Promise<Raw> {
  const raw = await readJsonInput({ kind: 'config', path, ...(stdin ? { stdin } : {}) });
  const label = describeJsonInput('config', path);
  if (raw === undefined) throw new ConfigError('TAP_CONFIG_EMPTY', `${label.charAt(0).toUpperCase()}${label.slice(1)} is empty: it must hold a JSON object of settings (see \`tap-salesforce spec\`).`);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('TAP_CONFIG_INVALID', `Expected ${label} to hold a JSON object.`);
  }
  return raw as Raw;
}

/** Settings from `TAP_SALESFORCE_<SETTING>` env vars (Meltano SDK's `--config ENV`). */
export function readConfigEnv(env: Record<string, string | undefined>, prefix = ENV_PREFIX): Raw {
  const raw: Raw = {};
  for (const key of Object.keys(CONFIG_SCHEMA.properties)) {
    const value = env[`${prefix}${key.toUpperCase()}`];
    if (value !== undefined) raw[key] = value;
  }
  return raw;
}
