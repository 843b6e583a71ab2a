/** The README's config reference, built from schemas/config.schema.json (the single truth). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const START = '<!-- config-reference:start (generated from schemas/config.schema.json; UPDATE_DOCS=1 npx vitest run test/unit/docs) -->';
export const END = '<!-- config-reference:end -->';

interface Property {
  type?: string | string[];
  default?: unknown;
  airbyte_secret?: boolean;
  enum?: unknown[];
  description?: string;
}

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n+/g, ' ');

export function buildConfigReference(root: string): string {
  const schema = JSON.parse(readFileSync(join(root, 'schemas', 'config.schema.json'), 'utf8')) as { properties: Record<string, Property> };
  const rows = Object.entries(schema.properties).map(([key, p]) => {
    const type = p.enum ? p.enum.map((v) => `\`${String(v)}\``).join(', ') : String(p.type ?? '');
    const fallback = p.default === undefined ? '' : `\`${JSON.stringify(p.default)}\``;
    return `| \`${key}\`${p.airbyte_secret ? ' 🔒' : ''} | ${cell(type)} | ${fallback} | ${cell(p.description ?? '')} |`;
  });
  return [START, '| setting | type | default | what it does |', '|---|---|---|---|', ...rows, END].join('\n');
}
