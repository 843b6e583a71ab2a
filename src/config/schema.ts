/**
 * schemas/config.schema.json is the single truth for settings: `spec` serves it, `--about`
 * serves it in Meltano's dialect, and `parseConfig` validates every config against it.
 */
import configSchemaJson from '../../schemas/config.schema.json' with { type: 'json' };

export interface ConfigPropertySchema {
  type?: string;
  title?: string;
  description?: string;
  enum?: string[];
  default?: unknown;
  airbyte_secret?: boolean;
  pattern_descriptor?: string;
  items?: ConfigPropertySchema;
  properties?: Record<string, ConfigPropertySchema>;
  [keyword: string]: unknown;
}

export interface ConfigSchema {
  type: 'object';
  properties: Record<string, ConfigPropertySchema>;
  [keyword: string]: unknown;
}

/** Meltano SDK convention: setting `client_id` ← env var `TAP_SALESFORCE_CLIENT_ID` (`--config ENV`). */
export const ENV_PREFIX = 'TAP_SALESFORCE_';

export const CONFIG_SCHEMA: ConfigSchema = configSchemaJson as unknown as ConfigSchema;

/** A deep copy, so callers may rewrite it (spec, --about) without touching validation. */
export function cloneConfigSchema(): ConfigSchema {
  return structuredClone(CONFIG_SCHEMA);
}

/** Top-level keys marked secret, plus nested `credentials.*` secrets (by their own names). */
export const SECRET_KEYS: ReadonlySet<string> = new Set(
  Object.entries(CONFIG_SCHEMA.properties).flatMap(([key, prop]) => [
    ...(prop.airbyte_secret ? [key] : []),
    ...Object.entries(prop.properties ?? {}).filter(([, p]) => p.airbyte_secret).map(([k]) => k),
  ]),
);
