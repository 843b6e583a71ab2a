/**
 * The one request function every wrapper composes around (session, retry, limit tracking):
 * a request in, a response with a streaming body out. Non-2xx statuses are responses, not
 * errors; only the client decides when a status becomes an error, through the error table.
 */
import type { HttpMethod } from '../client.js';

export interface HttpRequest {
  method: HttpMethod;
  url: string;
  headers: Record<string, string>;
  body?: string | Buffer | undefined;
  signal?: AbortSignal | undefined;
  /** May be replayed after a network failure, 5xx or 429. */
  idempotent: boolean;
  /**
   * `json`: the whole body is read (and parsed) inside the retry boundary, so a reply that breaks
   * off is retried like a failed request. `records`: the same, but the reply's `records` array is
   * kept as bytes, each record parsed when read (json-records.ts). Absent: the body streams to the
   * caller (Bulk results).
   */
  expect?: 'json' | 'records' | undefined;
}

export interface HttpResponse {
  status: number;
  /** Lower-case names; repeated headers joined by ", ". */
  headers: Record<string, string | undefined>;
  /** Decompressed. Must be consumed or discarded (`discard()`), or the socket is not reused. */
  body: AsyncIterable<Buffer>;
  discard(): Promise<void>;
  /** The whole body, when a wrapper already read it. */
  text?: string;
  /** The parsed JSON of a 2xx body, when a wrapper already parsed it. */
  json?: { value: unknown };
}

export type RequestFn = (request: HttpRequest) => Promise<HttpResponse>;

/** Reads a whole body as bytes, up to `limitBytes` (the rest is discarded). */
export async function readBodyBytes(response: HttpResponse, limitBytes = 4 * 1024 * 1024): Promise<Buffer> {
  if (response.text !== undefined) return Buffer.from(response.text);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response.body) {
    size += chunk.length;
    if (size > limitBytes) {
      await response.discard();
      break;
    }
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/** Reads a whole (small) body as text. */
export async function readBodyText(response: HttpResponse, limitBytes = 4 * 1024 * 1024): Promise<string> {
  if (response.text !== undefined) return response.text;
  return (await readBodyBytes(response, limitBytes)).toString('utf8');
}

/** A response whose body was read already (as text or bytes): it can be read again by any wrapper. */
export function bufferedResponse(response: HttpResponse, body: string | Buffer, json?: { value: unknown }): HttpResponse {
  return {
    status: response.status,
    headers: response.headers,
    body: {
      async *[Symbol.asyncIterator]() {
        yield typeof body === 'string' ? Buffer.from(body) : body;
      },
    },
    discard: async () => {},
    ...(typeof body === 'string' ? { text: body } : {}),
    ...(json ? { json } : {}),
  };
}
