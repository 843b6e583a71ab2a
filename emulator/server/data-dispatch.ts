import { OrgError } from '../org/types.js';
import { notFound, sfError, type Reply } from './reply.js';
import { resolveRoute, type ResolvedRoute } from './routes.js';
import { bearerToken, type DataDispatch, type RequestContext } from './state.js';

export const SESSION_EXPIRED = (): Reply => sfError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');

/** Runs a handler, turning the org's errors into the REST error envelope. */
export async function runHandler(ctx: RequestContext, route: ResolvedRoute): Promise<Reply> {
  if (!route.handler) {
    if (route.status === 405) {
      return sfError(405, 'METHOD_NOT_ALLOWED', `HTTP Method '${ctx.method}' not allowed. Allowed are ${route.allowed!.join(',')}`);
    }
    if (route.status === 410) return sfError(410, 'GONE', 'The requested API version has been retired and is no longer available');
    return notFound();
  }
  try {
    return await route.handler(ctx);
  } catch (error) {
    if (error instanceof OrgError) return sfError(error.status, error.errorCode, error.message, error.fields);
    throw error;
  }
}

/**
 * One data call: counted against DailyApiRequests (and refused once it is used up), answered,
 * and stamped with `Sforce-Limit-Info`. A composite batch runs this per subrequest.
 */
export async function runCountedCall(ctx: RequestContext, route: ResolvedRoute): Promise<Reply> {
  const { usage, settings } = ctx.state;
  let reply: Reply;
  if (!settings.apiEnabled) {
    reply = sfError(403, 'API_DISABLED_FOR_ORG', 'The REST API is not enabled for this Organization.');
  } else if (usage.exhausted) {
    reply = sfError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
  } else {
    // The outer composite call is not counted; each of its subrequests is.
    if (route.name !== 'rest.compositeBatch') usage.count();
    reply = await runHandler(ctx, route);
  }
  return { ...reply, headers: { ...reply.headers, 'Sforce-Limit-Info': usage.limitInfo() } };
}

/** A data call from the wire: the session comes first, then the counted call. */
export async function runDataRequest(ctx: RequestContext, route: ResolvedRoute): Promise<Reply> {
  const token = bearerToken(ctx);
  const session = token ? ctx.state.sessions.use(token) : undefined;
  if (!session) return SESSION_EXPIRED();
  ctx.session = session;
  return runCountedCall(ctx, route);
}


/** Inner calls run on the instance host with the outer call's session and no fault of their own. */
export const dispatchData: DataDispatch = (outer, call) => {
  const { minApiVersion, maxApiVersion } = outer.state.settings;
  const route = resolveRoute('instance', call.method, call.path, minApiVersion, maxApiVersion);
  const inner: RequestContext = { ...outer, ...call, params: route.params, version: route.version, fault: undefined };
  return { route: route.name, run: () => runCountedCall(inner, route) };
};
