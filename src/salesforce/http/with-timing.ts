/** Tells a listener of every request attempt once its headers arrived (or it failed): timing metrics. */
import type { Wrapper } from './compose.js';

export type RequestListener = (request: { method: string; url: string; status?: number; seconds: number }) => void;

export function withTiming(listener: RequestListener | undefined): Wrapper {
  return (next) => {
    if (!listener) return next;
    return async (request) => {
      const started = performance.now();
      const seconds = () => (performance.now() - started) / 1000;
      try {
        const response = await next(request);
        listener({ method: request.method, url: request.url, status: response.status, seconds: seconds() });
        return response;
      } catch (error) {
        listener({ method: request.method, url: request.url, seconds: seconds() });
        throw error;
      }
    };
  };
}
