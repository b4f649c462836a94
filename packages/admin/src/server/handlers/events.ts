import type { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AdminContext } from '../context.js';

/**
 * GET /api/events — server-sent events telling the UI what changed (see change-feed.ts): first
 * `ready` with `{ intervalMs }`, then `change` with `{ topics }` at most once per interval, and a
 * comment every 15 s that keeps proxies from closing an idle stream. Reads need a token here as
 * everywhere (security.ts): the UI sends it in the Authorization header, over fetch, since
 * EventSource cannot send headers (and a token in the URL would end up in logs).
 */
export function registerEventRoutes(app: Hono, context: AdminContext): void {
  app.get('/api/events', (c) => {
    // A proxy such as nginx must pass each event on at once.
    c.header('x-accel-buffering', 'no');
    return streamSSE(c, async (stream) => {
      const closed = new Promise<void>((resolve) => stream.onAbort(resolve));
      await stream.writeSSE({ event: 'ready', data: JSON.stringify({ intervalMs: context.changes.intervalMs }), retry: 5_000 });
      const unsubscribe = context.changes.subscribe((event) => {
        stream.writeSSE({ event: 'change', data: JSON.stringify(event) }).catch(() => {});
      });
      const heartbeat = setInterval(() => void stream.write(': keep-alive\n\n').catch(() => {}), 15_000);
      heartbeat.unref();
      try {
        await closed;
      } finally {
        clearInterval(heartbeat);
        unsubscribe();
      }
    });
  });
}
