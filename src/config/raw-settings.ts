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
  // A password inside a URL (refused later) must not be quoted by the refusal.
  for (const key of URL_KEYS) {
    const value = flat[key];
    if (typeof value !== 'string' || !value.includes('@')) continue;
    try {
      const { password } = new URL(value.trim());
      if (password !== '') {
        secrets.register(password);
        secrets.register(decodeURIComponent(password));
      }
    } catch {
      // Not a URL: the schema check reports it.
    }
  }
}

const URL_KEYS = ['login_url', 'instance_url'];

const TRUE_WORDS = new Set(['true', '1', 'yes', 'y', 'on']);
const FALSE_WORDS = new Set(['false', '0', 'no', 'n', 'off']);

/** Env-var strings to the types the schema wants (ajv handles numbers and plain "true"). */
function coerceStrings(flat: Raw): void {
  for (const [key, value] of Object.entries(flat)) {
    const prop = Object.hasOwn(CONFIG_SCHEMA.properties, key) ? CONFIG_SCHEMA.properties[key] : undefined;
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

/** Two spellings of one value: Airbyte's `Client` and the tap's `oauth_refresh_token`, `"5"` and 5. */
function sameSetting(key: string, a: unknown, b: unknown, resolveAuthType: (name: string) => string | undefined): boolean {
  if (key === 'auth_type' && typeof a === 'string' && typeof b === 'string') return resolveAuthType(a) === resolveAuthType(b);
  return JSON.stringify(a) === JSON.stringify(b) || (typeof a !== 'object' && typeof b !== 'object' && String(a).trim() === String(b).trim());
}

/**
 * The flat settings of a raw config, and what to warn about the nested `credentials`: a key it
 * shares with the top level where the values differ (the top level wins), and keys the tap does
 * not know. `raw` itself is not changed (only top-level keys are replaced).
 */
export function flattenSettings(raw: Raw, resolveAuthType: (name: string) => string | undefined): { flat: Raw; warnings: string[] } {
  const flat = withoutUnset(raw);
  const warnings: string[] = [];
  const nested = flat.credentials;
  if (nested !== null && typeof nested === 'object' && !Array.isArray(nested)) {
    const credentials = withoutUnset(nested as Raw);
    for (const [key, value] of Object.entries(credentials)) {
      if (!Object.hasOwn(CONFIG_SCHEMA.properties, key)) warnings.push(`The setting \`credentials.${key}\` is not one tap-salesforce knows and is ignored.`);
      else if (flat[key] === undefined) flat[key] = value;
      else if (!sameSetting(key, flat[key], value, resolveAuthType)) {
        warnings.push(`\`${key}\` is set both at the top level and in \`credentials\`, to different values: the top-level one is used.`);
      }
    }
    flat.credentials = credentials;
  }
  registerSecrets(flat);
  coerceStrings(flat);
  return { flat, warnings };
}

/**
 * Values the schema check would coerce into another meaning: ajv turns `true` into 1 for a
 * number setting (`stream_concurrency: true` is not "one stream").
 */
export function typeConfusionProblems(flat: Raw): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(flat)) {
    const prop = Object.hasOwn(CONFIG_SCHEMA.properties, key) ? CONFIG_SCHEMA.properties[key] : undefined;
    if ((prop?.type === 'integer' || prop?.type === 'number') && typeof value === 'boolean') {
      problems.push(`Expected \`${key}\` to be ${prop.type === 'integer' ? 'a whole number' : 'a number'}, got \`${String(value)}\``);
    }
  }
  return problems;
}
