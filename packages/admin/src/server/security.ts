import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { JobbyError } from '@jobby/core';
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
 * 4. reads need a token too when the server listens beyond loopback or a read token is configured
 *    (payloads can hold personal data): the read token (`JOBBY_ADMIN_READ_TOKEN`) or the operator
 *    token (`JOBBY_ADMIN_TOKEN`), else 401; `GET /api/meta` stays open, so that the UI can say what
 *    to enter;
 * 5. mutating requests need `Authorization: Bearer <operator token>` (401; the read token gets a
 *    403 that says so); without an operator token the server is read-only — except on the
 *    embedded quick start on loopback, where the UI says changes are open;
 * 6. request bodies are limited (413).
 * A server bound beyond loopback without any token refuses to start (`assertAdminExposure`).
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
  return isLoopbackHost(bindHost) ? new Set([...loopbackHosts, bindHost]) : undefined;
}

/** Whether an address to listen on is loopback only: `localhost`, `127.x.x.x` or `::1`. */
export function isLoopbackHost(bindHost: string): boolean {
  return loopbackHosts.has(bindHost) || /^127(\.\d{1,3}){3}$/.test(bindHost);
}

/**
 * Refuses (`CONFIGURATION_INVALID`) to serve beyond loopback without a token: anyone who can reach
 * the address could read every payload.
 *
 * @example
 * ```ts
 * assertAdminExposure({ host: '0.0.0.0', token: undefined, readToken: undefined }); // throws
 * ```
 */
export function assertAdminExposure(settings: { host: string; token: string | undefined; readToken: string | undefined }): void {
  if (isLoopbackHost(settings.host) || settings.token || settings.readToken) return;
  throw new JobbyError(
    'CONFIGURATION_INVALID',
    `the admin server would listen on ${settings.host}, beyond loopback, without a token: set JOBBY_ADMIN_READ_TOKEN (reading) and/or JOBBY_ADMIN_TOKEN (reading and changing) to long random secrets, or listen on 127.0.0.1`,
  );
}

/** What the `Authorization` header of a request grants: the operator token, the read token, or neither. */
export type AdminAccess = 'operator' | 'read' | 'none';

type AccessSettings = Pick<AdminContext, 'token' | 'readToken' | 'readsNeedToken' | 'embedded'>;

function bearer(token: string | undefined): Buffer | undefined {
  return token ? Buffer.from(`Bearer ${token}`) : undefined;
}

function matches(given: Buffer, expected: Buffer | undefined): boolean {
  return expected !== undefined && given.length === expected.length && timingSafeEqual(given, expected);
}

/** The token a request carries, compared in constant time with both configured tokens. */
export function requestAccess(settings: Pick<AccessSettings, 'token' | 'readToken'>, authorization: string | undefined): AdminAccess {
  const given = Buffer.from(authorization ?? '');
  if (matches(given, bearer(settings.token))) return 'operator';
  if (matches(given, bearer(settings.readToken))) return 'read';
  return 'none';
}

/** Reads need a token (see the header): 401 without one, except for `GET /api/meta`. */
export function readGuard(settings: AccessSettings): MiddlewareHandler {
  return async (c, next) => {
    if (!settings.readsNeedToken || !safeMethods.has(c.req.method) || c.req.path === '/api/meta') return next();
    if (requestAccess(settings, c.req.header('authorization')) === 'none') {
      c.header('www-authenticate', 'Bearer realm="jobby-admin"');
      reject(401, 'UNAUTHORIZED', 'reading needs a token on this server: send Authorization: Bearer <JOBBY_ADMIN_READ_TOKEN or JOBBY_ADMIN_TOKEN> (in the UI: the Token button)');
    }
    return next();
  };
}

export function mutationGuard(context: AccessSettings): MiddlewareHandler {
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
    const access = requestAccess(context, c.req.header('authorization'));
    if (access === 'read') {
      reject(403, 'FORBIDDEN', 'the read-only token (JOBBY_ADMIN_READ_TOKEN) cannot change anything: retrying, cancelling, submitting and controls need the operator token (JOBBY_ADMIN_TOKEN)');
    }
    if (context.token) {
      if (access !== 'operator') {
        c.header('www-authenticate', 'Bearer realm="jobby-admin"');
        reject(401, 'UNAUTHORIZED', 'this action needs the admin token: send Authorization: Bearer <JOBBY_ADMIN_TOKEN> (in the UI: the Token button)');
      }
    } else if (!embeddedOpen(context)) {
      reject(401, 'READ_ONLY', 'the admin server is read-only: start it with JOBBY_ADMIN_TOKEN=<secret> and enter that token in the UI (the Token button) to retry, cancel or submit jobs');
    }
    return next();
  };
}

/** The embedded quick start on loopback without tokens: changes open to anyone on this machine. */
export function embeddedOpen(settings: AccessSettings): boolean {
  return settings.embedded && !settings.token && !settings.readsNeedToken;
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
