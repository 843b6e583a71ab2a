/**
 * Following next-page tokens (REST `nextRecordsUrl`, Bulk `Sforce-Locator`, `resultPages`'
 * `nextRecordsUrl`) with a loop guard: a token handed out twice would read the same rows again
 * forever, so it stops the read with TAP_PAGINATION_LOOP instead. Refetching the same page after a
 * broken reply is a retry, not a repeat: only tokens moved to are recorded.
 */
import { TapError } from '../core/errors.js';

export interface PageGuard {
  /** The token to move to (undefined: the last page was read); throws when it was seen before. */
  next(token: string | undefined): string | undefined;
}

/** `what` names the paging in the error: `REST query`, `Bulk API 2.0 job 750… results`. */
export function createPageGuard(what: string, first?: string): PageGuard {
  const seen = new Set<string>(first === undefined ? [] : [first]);
  return {
    next(token) {
      if (token === undefined) return undefined;
      if (seen.has(token)) {
        throw new TapError('TAP_PAGINATION_LOOP', `${what}: Salesforce handed out the page token ${JSON.stringify(clip(token))} a second time, after ${seen.size} pages; stopping instead of reading the same rows again.`, { kind: 'salesforce' });
      }
      seen.add(token);
      return token;
    },
  };
}

function clip(token: string): string {
  return token.length > 80 ? `${token.slice(0, 80)}…` : token;
}

/** Pages from `first()` on, each next one fetched by the token the previous one names. */
export async function* paginate<P>(options: { what: string; first(): Promise<P>; tokenOf(page: P): string | undefined; fetch(token: string): Promise<P> }): AsyncIterable<P> {
  const guard = createPageGuard(options.what);
  let page = await options.first();
  yield page;
  for (let token = guard.next(options.tokenOf(page)); token !== undefined; token = guard.next(options.tokenOf(page))) {
    page = await options.fetch(token);
    yield page;
  }
}
