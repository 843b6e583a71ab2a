/**
 * Wraps a read mode with the freshness work of its streams (freshness.ts): before the mode plans,
 * getDeleted's tombstones are read and a full re-read is decided (a delete gap with
 * `deleted_gap: full_refresh`, formula values due with `formula_fields: refresh`); the tombstones
 * go out before the records; every checkpoint carries the freshness positions, and the last one
 * records the refresh once the whole read is out.
 */
import type { StreamBookmark } from '../events.js';
import { mayReadInFull, planFreshness, type FreshnessPlan, type FreshnessPosition, type FreshnessSettings, type FreshnessState } from '../freshness.js';
import type { AnyReadMode, ModeContext, ModeOutput, ReadMode } from '../read-modes.js';

/** The inner mode's bookmark (or position) with the freshness state beside it. */
interface FreshBookmark {
  inner: unknown;
  fresh: FreshnessState;
  /** The stored replication value, where getDeleted starts for a stream never covered before. */
  value?: string | undefined;
}

interface FreshPlan {
  /** A promise when the read does not depend on it: getDeleted then goes out beside the first query. */
  fresh: FreshnessPlan | Promise<FreshnessPlan>;
  inner: unknown;
}

const REASONS: Record<NonNullable<FreshnessPlan['fullRead']>, string> = {
  deleted_gap: 'deleted_gap: full_refresh',
  formula_refresh: 'formula_fields: refresh, its formula values are due',
};

export function withFreshness(inner: AnyReadMode, settings: FreshnessSettings): ReadMode<FreshBookmark, FreshPlan> {
  return {
    id: inner.id,
    serves: (stream) => inner.serves(stream),
    bookmark: (stored: StreamBookmark | undefined, stream) => ({
      inner: inner.bookmark(stored, stream),
      fresh: {
        ...(stored?.deletesCoveredUntil ? { deletesCoveredUntil: stored.deletesCoveredUntil } : {}),
        ...(stored?.formulasRefreshedAt ? { formulasRefreshedAt: stored.formulasRefreshedAt } : {}),
      },
      value: stored?.value,
    }),
    async plan(bookmark, ctx) {
      await ctx.hooks.checkQuota();
      const position: FreshnessPosition = { bookmark: bookmark?.value, ...bookmark?.fresh };
      const pending = planFreshness(ctx.stream, position, ctx.syncStart, settings, ctx.signal);
      if (!mayReadInFull(settings)) {
        pending.catch(() => undefined);
        return { fresh: pending, inner: await inner.plan(bookmark?.inner, ctx) };
      }
      const fresh = await announce(await pending, ctx);
      return { fresh, inner: await inner.plan(fresh.fullRead ? undefined : bookmark?.inner, ctx) };
    },
    async *read(plan, ctx): AsyncIterable<ModeOutput<FreshBookmark>> {
      const records = (inner.read(plan.inner, ctx) as AsyncIterable<ModeOutput<unknown>>)[Symbol.asyncIterator]();
      try {
        // The first read's request goes out now, so a small read's query and getDeleted share one Composite request.
        const next = plan.fresh instanceof Promise ? records.next() : undefined;
        next?.catch(() => undefined);
        const fresh = plan.fresh instanceof Promise ? await announce(await plan.fresh, ctx) : plan.fresh;
        if (fresh.tombstones.length > 0) yield { tombstones: fresh.tombstones };
        let last: unknown;
        let any = false;
        for (let step = await (next ?? records.next()); !step.done; step = await records.next()) {
          const output = step.value;
          if ('position' in output) {
            any = true;
            last = output.position;
            yield { position: { inner: output.position, fresh: fresh.carry } };
          } else yield output;
        }
        const { carry, onComplete } = fresh;
        if (any && (carry.deletesCoveredUntil !== onComplete.deletesCoveredUntil || carry.formulasRefreshedAt !== onComplete.formulasRefreshedAt)) {
          yield { position: { inner: last, fresh: onComplete } };
        }
      } finally {
        await records.return?.();
      }
    },
    checkpoint: (position, stream) => ({ ...(inner.checkpoint(position.inner, stream) as StreamBookmark), ...position.fresh }),
  };
}

/** Logs what the freshness plan found: gap warnings, deletes, a formula refresh. */
async function announce(fresh: FreshnessPlan, ctx: ModeContext): Promise<FreshnessPlan> {
  const name = ctx.stream.definition.name;
  for (const warning of fresh.warnings) await ctx.log('warn', warning);
  if (fresh.tombstones.length > 0) await ctx.log('info', `${name}: ${fresh.tombstones.length} row(s) deleted since the last run (getDeleted)`);
  if (fresh.fullRead === 'formula_refresh') await ctx.log('info', `${name}: re-reading the stream in full (${REASONS[fresh.fullRead]})`);
  return fresh;
}
