/**
 * Secret values (passwords, tokens, keys, session ids) are registered the moment they are known
 * and redacted from every string the tap prints: log lines, error messages, cause chains, TRACE
 * messages and stack traces. Redaction works on values, not on field names, so a token that
 * leaks into an URL or a server's error body is caught too.
 */

const MASK = '***';
/** Shorter values would mask ordinary words; Salesforce secrets are all longer than this. */
const MIN_SECRET_LENGTH = 4;

export class SecretRegistry {
  readonly #values = new Set<string>();
  #sorted: string[] = [];

  /** Registers a secret and the encodings it may appear in (URL-encoded, JSON-escaped). */
  register(value: string | undefined | null): void {
    if (typeof value !== 'string' || value.length < MIN_SECRET_LENGTH) return;
    const variants = new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)]);
    // A PEM private key is also recognisable by each of its base64 lines.
    if (value.includes('-----BEGIN')) {
      for (const line of value.split(/\r?\n/)) if (line.length >= 16 && !line.startsWith('-----')) variants.add(line);
    }
    let changed = false;
    for (const v of variants) {
      if (!this.#values.has(v)) {
        this.#values.add(v);
        changed = true;
      }
    }
    // Longest first, so a secret that contains another is masked whole.
    if (changed) this.#sorted = [...this.#values].sort((a, b) => b.length - a.length);
  }

  get size(): number {
    return this.#values.size;
  }

  redact(text: string): string {
    let out = text;
    for (const secret of this.#sorted) {
      if (out.includes(secret)) out = out.split(secret).join(MASK);
    }
    return out;
  }

  /** Redacts every string inside a JSON-like value (for TRACE and LOG payloads). */
  redactDeep<T>(value: T): T {
    if (typeof value === 'string') return this.redact(value) as T;
    if (Array.isArray(value)) return value.map((v) => this.redactDeep(v)) as T;
    if (value !== null && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = this.redactDeep(v);
      return out as T;
    }
    return value;
  }

  /** Message, cause chain and stack of an error as one redacted text. */
  describeError(error: unknown, withStack = false): string {
    const parts: string[] = [];
    let current: unknown = error;
    for (let depth = 0; current !== undefined && current !== null && depth < 8; depth += 1) {
      if (current instanceof Error) {
        parts.push(withStack && current.stack ? current.stack : `${current.name}: ${current.message}`);
        current = (current as Error & { cause?: unknown }).cause;
      } else {
        parts.push(String(current));
        current = undefined;
      }
    }
    return this.redact(parts.join('\nCaused by: '));
  }
}

/** The process-wide registry: secrets are global by nature (one config per run). */
export const secrets = new SecretRegistry();
