/**
 * Where raw config comes from: a `--config` file (or `-` for stdin), read through the bounded
 * JSON reader, and `TAP_SALESFORCE_<SETTING>` env vars (Meltano SDK's `--config ENV`).
 */
import type { Readable } from 'node:stream';
import { ConfigError } from '../core/errors.js';
import { capitalized, describeJsonInput, findDuplicateKey, readJsonInputText } from '../core/json-input.js';
import { CONFIG_SCHEMA, ENV_PREFIX } from './schema.js';

type Raw = Record<string, unknown>;

/** Reads one `--config` source as a JSON object; `-` reads `stdin`. */
export async function readConfigFile(path: string, stdin?: Readable): Promise<Raw> {
  const { value: raw, text } = await readJsonInputText({ kind: 'config', path, ...(stdin ? { stdin } : {}) });
  const label = describeJsonInput('config', path);
  if (raw === undefined) throw new ConfigError('TAP_CONFIG_EMPTY', `${capitalized(label)} is empty: it must hold a JSON object of settings (see \`tap-salesforce spec\`).`);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('TAP_CONFIG_INVALID', `Expected ${label} to hold a JSON object.`);
  }
  const repeated = findDuplicateKey(text);
  if (repeated !== undefined) {
    throw new ConfigError('TAP_CONFIG_DUPLICATE_KEY', `${capitalized(label)} sets \`${repeated.slice(0, 80)}\` more than once; only the last would count: keep one.`);
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
