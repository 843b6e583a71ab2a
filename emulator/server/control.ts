/**
 * The emulator's own control routes (not Salesforce's): what an org admin or a Bulk `hardDelete`
 * job does to the recycle bin, on demand, for tests and demos that drive the emulator from
 * another process. `POST /_emulator/hard-delete {"sobject","ids"}` and
 * `POST /_emulator/empty-recycle-bin {"sobject"?, "ids"?}`; both answer `{"purged": n}`.
 */
import { jsonReply, sfError, type Reply } from './reply.js';
import type { RequestContext } from './state.js';

function body(ctx: RequestContext): Record<string, unknown> | undefined {
  try {
    const parsed: unknown = JSON.parse(ctx.body.toString('utf8') || '{}');
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

const isIdList = (v: unknown): v is string[] => Array.isArray(v) && v.every((id) => typeof id === 'string');

export function handleHardDelete(ctx: RequestContext): Reply {
  const b = body(ctx);
  if (!b || typeof b.sobject !== 'string' || !isIdList(b.ids)) return sfError(400, 'JSON_PARSER_ERROR', 'Expected {"sobject": "Account", "ids": ["001..."]}');
  ctx.state.org.hardDelete(b.sobject, b.ids);
  return jsonReply(200, { purged: b.ids.length });
}

export function handleEmptyRecycleBin(ctx: RequestContext): Reply {
  const b = body(ctx);
  if (!b || (b.sobject !== undefined && typeof b.sobject !== 'string') || (b.ids !== undefined && !isIdList(b.ids))) {
    return sfError(400, 'JSON_PARSER_ERROR', 'Expected {"sobject"?: "Account", "ids"?: ["001..."]}');
  }
  return jsonReply(200, { purged: ctx.state.org.emptyRecycleBin(b.sobject as string | undefined, b.ids as string[] | undefined) });
}
