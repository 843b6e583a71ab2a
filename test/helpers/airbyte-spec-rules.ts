/**
 * What Airbyte's acceptance tests (CAT TestSpec, protocols.md §3) look for in a spec or schema,
 * shared by the unit rules test and the contract test of the CLI's output.
 */

/** CAT's list of property names that must be marked secret when they can hold one. */
export const SECRET_NAMES = new Set(['client_token', 'access_token', 'api_token', 'token', 'secret', 'client_secret', 'password', 'key', 'service_account_info', 'service_account', 'tenant_id', 'certificate', 'jwt', 'credentials', 'app_id', 'appid', 'refresh_token']);

/** JSON Schema keywords CAT refuses in a connection specification. */
export const FORBIDDEN_KEYWORDS = ['$ref', 'not', 'anyOf', 'allOf', 'patternProperties', 'prefixItems', 'if', 'then', 'else', 'dependentSchemas', 'dependentRequired'];

export type SchemaNode = Record<string, unknown>;

/** Visits every object node of a JSON value with its path (array items by index). */
export function walk(node: unknown, visit: (n: SchemaNode, path: string[]) => void, path: string[] = []): void {
  if (node === null || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    node.forEach((n, i) => walk(n, visit, [...path, String(i)]));
    return;
  }
  visit(node as SchemaNode, path);
  for (const [k, v] of Object.entries(node)) walk(v, visit, [...path, k]);
}
