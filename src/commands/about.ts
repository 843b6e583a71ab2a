/**
 * Singer `--about`: what Meltano's SDK prints (`--about --format json` has exactly the keys
 * name, description, version, sdk_version, supported_python_versions, capabilities, settings),
 * with `settings` the config JSON Schema in Meltano's dialect (`secret: true, writeOnly: true`
 * where Airbyte says `airbyte_secret`). The markdown form lists each setting and its env var.
 */
import packageJson from '../../package.json' with { type: 'json' };
import { cloneConfigSchema, ENV_PREFIX, type ConfigPropertySchema } from '../config/schema.js';

export const CAPABILITIES = ['catalog', 'properties', 'discover', 'state', 'about', 'test', 'activate-version'] as const;

export interface AboutInfo {
  name: string;
  description: string;
  version: string;
  sdk_version: string | null;
  supported_python_versions: string[] | null;
  capabilities: string[];
  settings: Record<string, unknown>;
}

function toMeltanoDialect(prop: ConfigPropertySchema): ConfigPropertySchema {
  const out: ConfigPropertySchema = { ...prop };
  if (out.airbyte_secret) {
    out.secret = true;
    out.writeOnly = true;
  }
  delete out.airbyte_secret;
  if (out.properties) out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, toMeltanoDialect(v)]));
  if (out.items) out.items = toMeltanoDialect(out.items);
  return out;
}

export function buildAbout(): AboutInfo {
  const schema = cloneConfigSchema();
  const properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, toMeltanoDialect(v)]));
  return {
    name: packageJson.name,
    description: packageJson.description,
    version: packageJson.version,
    sdk_version: null,
    supported_python_versions: null,
    capabilities: [...CAPABILITIES],
    settings: { ...schema, properties },
  };
}

export function renderAboutMarkdown(about: AboutInfo): string {
  const lines = [`# \`${about.name}\``, '', about.description, '', `Version: ${about.version}`, '', '## Capabilities', ''];
  for (const c of about.capabilities) lines.push(`* \`${c}\``);
  lines.push('', '## Settings', '', '| Setting | Type | Default | Env var | Description |', '|:--|:--|:--|:--|:--|');
  const properties = (about.settings.properties ?? {}) as Record<string, ConfigPropertySchema>;
  for (const [key, prop] of Object.entries(properties)) {
    const def = prop.default === undefined ? '' : `\`${JSON.stringify(prop.default)}\``;
    const description = (prop.description ?? prop.title ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');
    lines.push(`| ${key} | ${prop.type ?? ''}${prop.secret ? ' (secret)' : ''} | ${def} | \`${ENV_PREFIX}${key.toUpperCase()}\` | ${description} |`);
  }
  return `${lines.join('\n')}\n`;
}
