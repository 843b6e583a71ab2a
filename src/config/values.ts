/**
 * Setting values a JSON schema cannot fully check: login and instance URLs, timestamps, and how
 * a value is quoted back in an error (secrets never, long values cut).
 */
import { secrets } from '../core/secrets.js';

export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** A value as an error quotes it: secrets not at all, the rest redacted and cut at 80 characters. */
export function showValue(value: unknown, secret: boolean): string {
  if (secret) return 'a value that is not shown (secret)';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  const short = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return `\`${secrets.redact(short)}\``;
}

/**
 * A login or instance URL as an origin: https, or http on a loopback host (the local emulator).
 * `name` is how the problem names the setting (`` `login_url` ``, `--login-url`).
 */
export function parseHostUrl(name: string, value: string): { origin: string } | { problem: string } {
  let url: URL;
  try {
    url = new URL(value.trim());
  } catch {
    return { problem: `Expected ${name} to be a URL such as https://acme.my.salesforce.com, got ${showValue(value, false)}` };
  }
  if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
    return { problem: `Expected ${name} to use https (http is only allowed for localhost), got ${showValue(value, false)}` };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { problem: `Expected ${name} to be an https URL, got ${showValue(value, false)}` };
  return { origin: url.origin };
}

/** An ISO-8601 timestamp (date only, no zone, `+0000`: Salesforce's forms) as UTC ISO, or undefined. */
export function toIsoTimestamp(value: string): string | undefined {
  let text = value.trim().replace(' ', 'T');
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) text += 'T00:00:00Z';
  else if (!/([zZ]|[+-]\d{2}(:?\d{2})?)$/.test(text)) text += 'Z';
  // `+0000` (Salesforce's own form) is not accepted by Date.parse everywhere: add the colon.
  text = text.replace(/([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms).toISOString();
}
