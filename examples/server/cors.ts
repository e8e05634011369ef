/**
 * Opt-in CORS: pages served from the listed origins (or any, with '*') may
 * call the API from a browser. Without the option no CORS header is sent and
 * browsers allow only same-origin pages, such as the dashboard at `/`.
 */
import type { IncomingMessage } from 'node:http';

export type CorsOrigins = readonly string[] | '*' | undefined;

/** Parses CORS_ORIGIN: '*' or a comma-separated list of origins. */
export function parseCorsOrigins(text: string | undefined): CorsOrigins {
  if (text === undefined || text.trim() === '') return undefined;
  if (text.trim() === '*') return '*';
  return text
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean);
}

/** The CORS headers for this request (none when its origin is not allowed). */
export function corsHeaders(req: IncomingMessage, origins: CorsOrigins): Record<string, string> {
  const origin = req.headers.origin;
  if (!origins || !origin) return {};
  if (origins !== '*' && !origins.includes(origin)) return {};
  const headers: Record<string, string> = {
    'access-control-allow-origin': origins === '*' ? '*' : origin,
    'access-control-expose-headers': 'retry-after',
  };
  if (origins !== '*') headers.vary = 'Origin';
  if (req.method === 'OPTIONS') {
    headers['access-control-allow-methods'] = 'GET, POST, DELETE';
    headers['access-control-allow-headers'] = 'content-type, last-event-id';
    headers['access-control-max-age'] = '600';
  }
  return headers;
}
