import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Hono } from 'hono';

/**
 * Serves the built UI (`dist/ui`, made by `vite build`): files as they are, hashed assets cached
 * for good, and index.html for every other path so that client routes (/jobs/42) load the app.
 * When the UI is not built, every page says how to build it.
 */

export const defaultUiDirectory = fileURLToPath(new URL('../../dist/ui/', import.meta.url));

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Jobby admin — UI not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#222}
code{background:#f2f2f2;padding:.1rem .3rem;border-radius:4px}@media (prefers-color-scheme:dark){body{background:#16181c;color:#ddd}code{background:#2a2d33}}</style>
</head><body><h1>The admin UI is not built</h1>
<p>The API is running (try <a href="/api/overview">/api/overview</a>), but the web UI has not been built yet. Build it with</p>
<pre><code>npm run build -w @jobby/admin</code></pre><p>then reload this page.</p></body></html>`;

export function registerStaticUi(app: Hono, uiDirectory: string = defaultUiDirectory): void {
  const root = path.resolve(uiDirectory);
  app.get('*', async (c) => {
    const pathname = decodeURIComponent(new URL(c.req.url).pathname);
    if (pathname.startsWith('/api/')) return c.json({ error: { code: 'NOT_FOUND', message: `no endpoint ${pathname}` } }, 404);
    const candidate = path.resolve(root, `.${pathname}`);
    if (candidate.startsWith(root + path.sep) && (await isFile(candidate))) {
      const body = await readFile(candidate);
      const cache = pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
      return c.body(body, 200, { 'content-type': contentTypes[path.extname(candidate)] ?? 'application/octet-stream', 'cache-control': cache });
    }
    const index = path.join(root, 'index.html');
    if (await isFile(index)) return c.body(await readFile(index), 200, { 'content-type': contentTypes['.html']!, 'cache-control': 'no-cache' });
    return c.html(notBuiltPage, 503);
  });
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (info) => info.isFile(),
    () => false,
  );
}
