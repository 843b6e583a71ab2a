/**
 * `streams_include` / `streams_exclude` glob patterns (`*` any run, `?` one character),
 * case-insensitive like Salesforce's own object names. Exclusion wins; no include pattern means
 * every stream.
 */

function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

export function buildStreamFilter(include: readonly string[], exclude: readonly string[]): (name: string) => boolean {
  const includes = include.map(globToRegExp);
  const excludes = exclude.map(globToRegExp);
  return (name) => (includes.length === 0 || includes.some((r) => r.test(name))) && !excludes.some((r) => r.test(name));
}
