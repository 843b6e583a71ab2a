/**
 * The flows' registry is the one place config parsing learns about auth: each flow's name,
 * aliases, required settings and inference rule come from its module, and the schema knows them.
 */
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/parse-config.js';
import { CONFIG_SCHEMA } from '../../../src/config/schema.js';
import { TapError } from '../../../src/core/errors.js';
import { AUTH_FLOWS, AUTH_TYPES, inferAuthType, resolveAuthTypeName } from '../../../src/salesforce/auth/registry.js';

function problemOf(raw: Record<string, unknown>): string {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(TapError);
    return (error as TapError).message;
  }
  throw new Error('expected the config to be refused');
}

describe('auth flow registry', () => {
  it('lists every flow once, each `auth_type` in the config schema and each required setting a schema property', () => {
    expect(new Set(AUTH_TYPES).size).toBe(AUTH_FLOWS.length);
    const schemaTypes = CONFIG_SCHEMA.properties.auth_type!.enum!;
    for (const flow of AUTH_FLOWS) {
      expect(schemaTypes).toContain(flow.type);
      for (const key of flow.requires) expect(Object.keys(CONFIG_SCHEMA.properties)).toContain(key);
    }
  });

  it('resolves each flow by its name or an alias, in any case, and no alias names two flows', () => {
    const seen = new Map<string, string>();
    for (const flow of AUTH_FLOWS) {
      expect(resolveAuthTypeName(flow.type.toUpperCase())).toBe(flow.type);
      for (const alias of flow.aliases) {
        expect(seen.get(alias), alias).toBeUndefined();
        seen.set(alias, flow.type);
        expect(resolveAuthTypeName(` ${alias} `)).toBe(flow.type);
      }
    }
    expect(resolveAuthTypeName('kerberos')).toBeUndefined();
  });

  it('asks for exactly the settings a flow requires when only its name is given', () => {
    for (const flow of AUTH_FLOWS) {
      const message = problemOf({ auth_type: flow.type });
      expect(message).toContain(`${flow.title} needs ${flow.requires.map((k) => `\`${k}\``).join(', ')}`);
    }
  });

  it('infers each flow from the settings it requires alone', () => {
    for (const flow of AUTH_FLOWS) {
      const has = (key: string): boolean => flow.requires.includes(key);
      expect(inferAuthType(has), flow.type).toBe(flow.type);
    }
  });

  it('parses each flow into its own typed config', () => {
    const values: Record<string, string> = {
      client_id: 'cid',
      client_secret: 'secret-value',
      refresh_token: 'refresh-value',
      username: 'u@example.com',
      password: 'password-value',
      access_token: '00Dxx!token-value',
      instance_url: 'https://acme.my.salesforce.com',
      login_url: 'https://acme.my.salesforce.com',
    };
    for (const flow of AUTH_FLOWS.filter((f) => f.type !== 'jwt')) {
      const raw = Object.fromEntries(flow.requires.map((k) => [k, values[k]]));
      expect(parseConfig({ ...raw, auth_type: flow.type }).auth.type).toBe(flow.type);
    }
  });
});
