import { createRandom } from './ids.js';

/**
 * What an injected fault does. Rules are checked in insertion order; the first that matches a
 * request (and wins its probability draw) fires and uses up one of its `times`.
 */
export type FaultAction =
  /** Reply `status` + `body` instead of handling the request. */
  | 'respond'
  /** Expire the presented session and reply 401 INVALID_SESSION_ID. */
  | 'session-expired'
  /** Reply 403 REQUEST_LIMIT_EXCEEDED. */
  | 'request-limit'
  /** Drop the connection without a response. */
  | 'reset'
  /** Handle the request, but cut its body after `afterBytes` (reset, or end early). */
  | 'truncate'
  /** Only delay (`delayMs`), then handle normally. */
  | 'delay'
  /** Bulk job creation: the job ends `Failed` with `errorMessage`. */
  | 'job-failed'
  /** Bulk job creation: the job stays `InProgress` forever. */
  | 'job-never-finishes';

export interface FaultRule {
  /** A named route (`bulk.results`, `oauth.token`, ...) or a pattern over route names. */
  route?: string | RegExp;
  method?: string;
  /** Matched against the request path (without query). */
  path?: string | RegExp;
  /** Defaults: `respond` when `status` is given, `truncate` when `afterBytes` is, else `delay`. */
  action?: FaultAction;
  status?: number;
  /** JSON value (serialized) or a raw string. */
  body?: unknown;
  headers?: Record<string, string>;
  /** How many requests it hits; default 1; Infinity for all. */
  times?: number;
  /** Chance (seeded) that a matching request is hit. Default 1. */
  probability?: number;
  delayMs?: number;
  afterBytes?: number;
  truncateMode?: 'reset' | 'end';
  /** `job-failed`: the job's errorMessage. */
  errorMessage?: string;
  /** Shown in the journal instead of the action. */
  label?: string;
}

export interface ActiveFault extends FaultRule {
  action: FaultAction;
  id: number;
  remaining: number;
  fired: number;
}

const JOB_ACTIONS = new Set<FaultAction>(['job-failed', 'job-never-finishes']);

export class FaultQueue {
  readonly #rules: ActiveFault[] = [];
  #nextId = 1;
  readonly #random: () => number;

  constructor(seed: number) {
    this.#random = createRandom(seed ^ 0x5eed);
  }

  add(rule: FaultRule): ActiveFault {
    const action: FaultAction =
      rule.action ?? (rule.status !== undefined ? 'respond' : rule.afterBytes !== undefined ? 'truncate' : 'delay');
    const active: ActiveFault = { ...rule, action, id: this.#nextId++, remaining: rule.times ?? 1, fired: 0 };
    this.#rules.push(active);
    return active;
  }

  clear(): void {
    this.#rules.length = 0;
  }

  /** Rules not yet used up. */
  pending(): readonly ActiveFault[] {
    return this.#rules;
  }

  /** Finds, consumes and returns the fault for this request, if any. */
  take(route: string, method: string, path: string): ActiveFault | undefined {
    for (let i = 0; i < this.#rules.length; i++) {
      const rule = this.#rules[i]!;
      if (!matches(rule, route, method, path)) continue;
      if (rule.probability !== undefined && this.#random() >= rule.probability) continue;
      rule.remaining -= 1;
      rule.fired += 1;
      if (rule.remaining <= 0) this.#rules.splice(i, 1);
      return rule;
    }
    return undefined;
  }
}

function matches(rule: ActiveFault, route: string, method: string, path: string): boolean {
  if (rule.method !== undefined && rule.method.toUpperCase() !== method) return false;
  if (rule.route !== undefined) {
    if (typeof rule.route === 'string' ? rule.route !== route : !rule.route.test(route)) return false;
  } else if (JOB_ACTIONS.has(rule.action) && route !== 'bulk.create') {
    return false;
  }
  if (rule.path !== undefined) {
    if (typeof rule.path === 'string' ? rule.path !== path : !rule.path.test(path)) return false;
  }
  return true;
}
