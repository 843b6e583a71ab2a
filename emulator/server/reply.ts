/**
 * What a route handler returns. Handlers never touch the response object, so the same handler
 * serves a top-level request and a composite batch subrequest, and the writer alone applies
 * gzip, bandwidth caps and injected truncation.
 */
export interface Reply {
  status: number;
  headers?: Record<string, string>;
  /** A complete body. */
  body?: string | Buffer;
  /** A streamed body (chunked transfer); big chunks, generated lazily. */
  stream?: () => AsyncIterable<Buffer> | Iterable<Buffer>;
  /** Takes back a streamed chunk once the socket has written it, so its memory is reused. */
  release?: (chunk: Buffer) => void;
  /** The same body already gzipped: sent instead of compressing `stream` when gzip is asked. */
  gzipped?: () => Iterable<Buffer>;
  /** Receives the gzipped body of `stream` once it was sent whole. */
  keepGzipped?: (chunks: Buffer[]) => void;
  /** The body was served from the Bulk result cache (journaled). */
  cached?: boolean;
  /** The body's rows were rendered while their Bulk job ran (journaled). */
  spooled?: boolean;
  /** The JSON value of `body`, kept for composite batch results. */
  json?: unknown;
}

export const JSON_TYPE = 'application/json;charset=UTF-8';

export function jsonReply(status: number, value: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'Content-Type': JSON_TYPE, ...headers }, body: JSON.stringify(value), json: value };
}

/** Serialized forms of values that never change once built (describes), so each is stringified once. */
const serialized = new WeakMap<object, string>();

/** `jsonReply` for an immutable value: its JSON text is cached for the value's lifetime. */
export function immutableJsonReply(status: number, value: object, headers: Record<string, string> = {}): Reply {
  let body = serialized.get(value);
  if (body === undefined) {
    body = JSON.stringify(value);
    serialized.set(value, body);
  }
  return { status, headers: { 'Content-Type': JSON_TYPE, ...headers }, body, json: value };
}

/** The REST error envelope: a JSON array of `{message, errorCode[, fields]}`. */
export function sfError(status: number, errorCode: string, message: string, fields?: string[]): Reply {
  const item: Record<string, unknown> = fields ? { fields, message, errorCode } : { message, errorCode };
  return jsonReply(status, [item]);
}

/** The OAuth error envelope: a JSON object, not an array. */
export function oauthError(error: string, description: string, status = 400): Reply {
  return jsonReply(status, { error, error_description: description }, { 'Cache-Control': 'no-cache,must-revalidate,max-age=0,no-store,private' });
}

export function emptyReply(status: number, headers: Record<string, string> = {}): Reply {
  return { status, headers };
}

export const NOT_FOUND_MESSAGE = 'The requested resource does not exist';

export function notFound(): Reply {
  return sfError(404, 'NOT_FOUND', NOT_FOUND_MESSAGE);
}
