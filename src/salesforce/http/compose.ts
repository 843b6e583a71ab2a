/**
 * Request wrappers as functions from the next request function to a new one, composed in one
 * place: `compose(base, a, b, c)` is `c(b(a(base)))`, each wrapper wraps those before it, so the
 * list reads from the socket outwards.
 */
import type { RequestFn } from './types.js';

export type Wrapper = (next: RequestFn) => RequestFn;

export function compose(base: RequestFn, ...wrappers: readonly Wrapper[]): RequestFn {
  return wrappers.reduce<RequestFn>((next, wrap) => wrap(next), base);
}
