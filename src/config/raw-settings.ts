/**
 * Raw config JSON → flat settings, before validation. Order matters:
 * 1. `""` and null mean "not set" (Meltano writes unset env vars as empty strings);
 * 2. Airbyte's nested `credentials` is flattened under the top-level keys;
 * 3. every secret is registered before anything can print it;
 * 4. strings from env vars are coerced (booleans, numbers, JSON arrays/objects).
 */
import { ConfigError } from '../core/errors.js';
import { parseJsonInput } from '../core/json-input.js';
import { secrets } from '../core/secrets.js';
import { CONFIG_SCHEMA, SECRET_KEYS } from './schema.js';

type Raw = Record<string, unknown>;

function isUnset(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '');
}

export function withoutUnset(object: Raw): Raw {
  const out: Raw = {};
  for (const [key, value] of Object.entries(object)) if (!isUnset(value)) out[key] = value;
  return out;
}

function registerSecrets(flat: Raw): void {
  for (const key of SECRET_KEYS) {
    const value = flat[key];
    if (typeof value === 'string') secrets.register(value);
  }
  if (typeof flat.password === 'string' && typeof flat.security_token === 'string') {
    secrets.register(`${flat.password}${flat.security_token}`);
  }
}

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', 'off']);

/** Env-var strings to the types the schema wants (ajv handles numbers and plain "true"). */
function coerceStrings(flat: Raw): void {
  for (const [key, value] of Object.entries(flat)) {
    const prop = CONFIG_SCHEMA.properties[key];
    if (prop === undefined || typeof value !== 'string') continue;
    const text = value.trim();
    if (prop.type === 'boolean') {
      const lower = text.toLowerCase();
      if (TRUE_WORDS.has(lower)) flat[key] = true;
      else if (FALSE_WORDS.has(lower)) flat[key] = false;
    } else if ((prop.type === 'array' && text.startsWith('[')) || (prop.type === 'object' && text.startsWith('{'))) {
      try {
        flat[key] = parseJsonInput(text, { kind: 'config', label: `the setting \`${key}\`` });
      } catch (error) {
        // Too deep or too large is refused; bad JSON is left as a string: the schema check
        // reports the field with what it expects.
        if (!(error instanceof ConfigError) || error.code !== 'TAP_CONFIG_INVALID_JSON') throw error;
      }
    } else if (prop.type === 'array' && text.includes(',')) {
      flat[key] = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
    }
  }
}

/** The flat settings of a raw config; `raw` itself is not changed (only top-level keys are replaced). */
export function flattenSettings(raw: Raw): Raw {
  const flat = withoutUnset(raw);
  const nested = flat.credentials;
  if (nested !== null && typeof nested === 'object' && !Array.isArray(nested)) {
    const credentials = withoutUnset(nested as Raw);
    for (const [key, value] of Object.entries(credentials)) if (flat[key] === undefined) flat[key] = value;
    flat.credentials = credentials;
  }
  registerSecrets(flat);
  coerceStrings(flat);
  return flat;
}
