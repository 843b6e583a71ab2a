/**
 * Singer METRIC log lines (singer-python's `metrics` module, which Meltano parses): a counter of
 * records per stream and a timer per HTTP request, as `METRIC: {json}` on stderr.
 */

export interface SingerMetric {
  type: 'counter' | 'timer';
  metric: 'record_count' | 'http_request_duration';
  value: number;
  tags: Record<string, string | number>;
}

export function encodeMetric(metric: SingerMetric): string {
  return `METRIC: ${JSON.stringify(metric)}`;
}

/** `/services/data/v65.0/jobs/query/750.../results` → `jobs/query/:id/results`: no ids, no SOQL. */
export function endpointOf(url: string): string {
  const path = new URL(url).pathname.replace(/^\/services\/data\/v\d+\.\d+\/?/, '').replace(/^\/services\//, '');
  return path
    .split('/')
    .map((part) => (/^[a-zA-Z0-9]{15}([a-zA-Z0-9]{3})?$/.test(part) && /\d/.test(part) ? ':id' : part))
    .join('/');
}

export function buildRequestTimer(request: { method: string; url: string; status?: number; seconds: number }): SingerMetric {
  return {
    type: 'timer',
    metric: 'http_request_duration',
    value: Math.round(request.seconds * 1e6) / 1e6,
    tags: {
      endpoint: endpointOf(request.url),
      http_method: request.method,
      ...(request.status !== undefined ? { http_status_code: request.status } : {}),
      status: request.status !== undefined && request.status < 400 ? 'succeeded' : 'failed',
    },
  };
}
