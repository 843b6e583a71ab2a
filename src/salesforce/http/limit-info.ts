/** `Sforce-Limit-Info: api-usage=12/15000` → {used, max}. */
export function parseLimitInfo(header: string | undefined): { used: number; max: number } | undefined {
  if (header === undefined) return undefined;
  const match = /api-usage=(\d+)\/(\d+)/.exec(header);
  return match ? { used: Number(match[1]), max: Number(match[2]) } : undefined;
}
