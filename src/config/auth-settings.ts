/**
 * The auth part of a config: which flow it means (`auth_type`, one of its aliases, or inferred
 * from the credentials present), whether that flow's required settings are there, where logins
 * go, and the flow's typed config. Everything flow-specific comes from the flows' registry.
 */
import { AUTH_TYPES, findAuthFlow, inferAuthType as inferFromRegistry, resolveAuthTypeName, type AuthConfig, type AuthType } from '../salesforce/auth/registry.js';
import type { AuthSettings, LoginHost } from '../salesforce/auth/types.js';
import { parseHostUrl, showValue } from './values.js';

export const PRODUCTION_LOGIN_URL = 'https://login.salesforce.com';
export const SANDBOX_LOGIN_URL = 'https://test.salesforce.com';

type Raw = Record<string, unknown>;

const hasString = (flat: Raw) => (key: string): boolean => typeof flat[key] === 'string';

/** The flow the credentials point to when `auth_type` is absent. */
export function inferAuthType(flat: Raw): AuthType {
  return inferFromRegistry(hasString(flat));
}

/** The flow a config means; an `auth_type` no flow answers to is returned as written (lower case). */
export function resolveAuthType(flat: Raw): AuthType | string {
  const given = flat.auth_type;
  if (typeof given !== 'string') return inferAuthType(flat);
  return resolveAuthTypeName(given) ?? given.trim().toLowerCase();
}

function hostUrl(flat: Raw, key: string, problems: string[]): string | undefined {
  const value = flat[key];
  if (typeof value !== 'string') return undefined;
  const parsed = parseHostUrl(`\`${key}\``, value);
  if ('problem' in parsed) {
    problems.push(parsed.problem);
    return undefined;
  }
  return parsed.origin;
}

/** The flow's typed config, or undefined after adding to `problems` what is wrong. */
export function buildAuth(flat: Raw, problems: string[]): AuthConfig | undefined {
  const type = resolveAuthType(flat);
  const flow = findAuthFlow(type);
  const before = problems.length;
  if (flow === undefined) {
    problems.push(`Expected \`auth_type\` to be one of ${AUTH_TYPES.map((t) => `\`${t}\``).join(', ')}, got ${showValue(flat.auth_type, false)}`);
  } else {
    const missing = flow.requires.filter((k) => typeof flat[k] !== 'string');
    if (missing.length > 0) {
      problems.push(`Expected ${missing.map((k) => `\`${k}\``).join(', ')} to be set: ${flow.title} needs ${flow.requires.map((k) => `\`${k}\``).join(', ')}`);
    }
  }
  const isSandbox = flat.is_sandbox === true;
  const loginUrl = hostUrl(flat, 'login_url', problems);
  const instanceUrl = hostUrl(flat, 'instance_url', problems);
  if (flow === undefined || problems.length > before) return undefined;
  const host: LoginHost = { loginUrl: loginUrl ?? (isSandbox ? SANDBOX_LOGIN_URL : PRODUCTION_LOGIN_URL), customLoginUrl: loginUrl !== undefined, isSandbox };
  if (instanceUrl !== undefined) host.instanceUrl = instanceUrl;
  const settings: AuthSettings = {
    required: (key) => {
      const value = flat[key];
      if (typeof value !== 'string') throw new Error(`${flow.type} reads \`${key}\`, which it does not list in \`requires\``);
      return value;
    },
    optional: (key) => (typeof flat[key] === 'string' ? flat[key] : undefined),
  };
  const auth = flow.build(settings, host, problems) as AuthConfig;
  return problems.length > before ? undefined : auth;
}
