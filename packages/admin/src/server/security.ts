import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { AdminContext } from './context.js';
import { AdminHttpError, toErrorResponse, type AdminErrorCode } from './http-error.js';

/**
 * The admin server's guards, in the order they run:
 * 1. every response gets a strict Content-Security-Policy (scripts only from this server, so a
 *    payload can never run as code even if it were rendered as HTML — the UI renders it as text);
 * 2. on a loopback address, requests must name a loopback host (DNS rebinding would otherwise let
 *    any web page read the API through a hostname it controls);
 * 3. mutating requests from another site are refused (403): a browser sends `Sec-Fetch-Site`,
 *    and `Origin` on POST; either one naming another origin is enough;
 * 4. mutating requests need `Authorization: Bearer <token>` (401); without a configured token the
 *    server is read-only — except on the embedded quick start, where the UI says changes are open;
 * 5. request bodies are limited (413).
 */

const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export const contentSecurityPolicy =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
  "frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

function reject(status: 401 | 403 | 413, code: AdminErrorCode, message: string): never {
  throw new AdminHttpError(status, code, message);
}

export function securityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.header('content-security-policy', contentSecurityPolicy);
    c.header('x-content-type-options', 'nosniff');
    c.header('referrer-policy', 'no-referrer');
    c.header('x-frame-options', 'DENY');
    c.header('cross-origin-opener-policy', 'same-origin');
  };
}

/** Only loopback Host names when bound to loopback (`allowedHosts` undefined: any host). */
export function hostGuard(allowedHosts: ReadonlySet<string> | undefined): MiddlewareHandler {
  return async (c, next) => {
    if (allowedHosts) {
      const host = new URL(c.req.url).hostname;
      if (!allowedHosts.has(host)) reject(403, 'FORBIDDEN', `host ${JSON.stringify(host)} is not served here; use http://127.0.0.1 or http://localhost`);
    }
    await next();
  };
}

export function loopbackAllowedHosts(bindHost: string): ReadonlySet<string> | undefined {
  return loopbackHosts.has(bindHost) ? new Set([...loopbackHosts, bindHost]) : undefined;
}

export function mutationGuard(context: Pick<AdminContext, 'token' | 'embedded'>): MiddlewareHandler {
  const expected = context.token ? Buffer.from(`Bearer ${context.token}`) : undefined;
  return async (c, next) => {
    if (safeMethods.has(c.req.method)) return next();
    const fetchSite = c.req.header('sec-fetch-site');
    if (fetchSite !== undefined && fetchSite !== 'same-origin' && fetchSite !== 'none') {
      reject(403, 'FORBIDDEN', `cross-site request refused (Sec-Fetch-Site: ${fetchSite.slice(0, 40)})`);
    }
    const origin = c.req.header('origin');
    if (origin !== undefined) {
      let originHost: string | undefined;
      try {
        originHost = new URL(origin).host;
      } catch {
        originHost = undefined;
      }
      if (originHost !== new URL(c.req.url).host) reject(403, 'FORBIDDEN', `cross-origin request refused (Origin: ${origin.slice(0, 100)})`);
    }
    if (expected) {
      const given = Buffer.from(c.req.header('authorization') ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        c.header('www-authenticate', 'Bearer realm="jobby-admin"');
        reject(401, 'UNAUTHORIZED', 'this action needs the admin token: send Authorization: Bearer <JOBBY_ADMIN_TOKEN> (in the UI: the Token button)');
      }
    } else if (!context.embedded) {
      reject(401, 'READ_ONLY', 'the admin server is read-only: start it with JOBBY_ADMIN_TOKEN=<secret> and enter that token in the UI (the Token button) to retry, cancel or submit jobs');
    }
    return next();
  };
}

export function requestBodyLimit(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: (c) => {
      const { body } = toErrorResponse(new AdminHttpError(413, 'PAYLOAD_TOO_LARGE', `request bodies are limited to ${maxBytes} bytes`));
      return c.json(body, 413);
    },
  });
}
