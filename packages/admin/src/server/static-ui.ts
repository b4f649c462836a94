import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { brotliCompress, constants as zlibConstants, gzip } from 'node:zlib';
import type { Hono } from 'hono';

/**
 * Serves the built UI (`dist/ui`, made by `vite build`): files as they are, hashed assets cached
 * for good, and index.html for every other path so that client routes (/jobs/42) load the app.
 * When the UI is not built, every page says how to build it.
 *
 * Text files go out compressed (brotli, else gzip, by Accept-Encoding), compressed once per file
 * and kept in memory: the whole UI is a few hundred kilobytes, and compressing the 230 kB main
 * chunk with brotli at quality 11 on every request would cost ~0.3 s of CPU each time.
 * Source maps are not built by default (vite.config.ts) and never served unless built.
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
    const accepted = c.req.header('accept-encoding') ?? '';
    const serve = async (file: string, cache: string) => {
      const type = contentTypes[path.extname(file)] ?? 'application/octet-stream';
      const headers: Record<string, string> = { 'content-type': type, 'cache-control': cache, vary: 'Accept-Encoding' };
      const encoding = compressible(type) ? pickEncoding(accepted) : undefined;
      if (!encoding) return c.body(await readFile(file), 200, headers);
      const body = new Uint8Array(await compressedFile(file, encoding));
      return c.body(body, 200, { ...headers, 'content-encoding': encoding });
    };
    if (candidate.startsWith(root + path.sep) && (await isFile(candidate))) {
      return serve(candidate, pathname.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    }
    const index = path.join(root, 'index.html');
    if (await isFile(index)) return serve(index, 'no-cache');
    return c.html(notBuiltPage, 503);
  });
}

type Encoding = 'br' | 'gzip';

const compressedCache = new Map<string, { mtimeMs: number; body: Promise<Buffer> }>();
const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

function compressible(type: string): boolean {
  return /^(text\/|application\/json|image\/svg)/.test(type);
}

/** Brotli when the browser takes it (every current one does over HTTP too), else gzip. */
export function pickEncoding(acceptEncoding: string): Encoding | undefined {
  const offered = new Map<string, number>();
  for (const part of acceptEncoding.split(',')) {
    const [name, ...parameters] = part.trim().toLowerCase().split(';');
    if (!name) continue;
    const quality = parameters.map((parameter) => /^\s*q=([\d.]+)\s*$/.exec(parameter)?.[1]).find((value) => value !== undefined);
    offered.set(name, quality === undefined ? 1 : Number(quality));
  }
  for (const encoding of ['br', 'gzip'] as const) {
    const quality = offered.get(encoding) ?? offered.get('*') ?? 0;
    if (quality > 0) return encoding;
  }
  return undefined;
}

async function compressedFile(file: string, encoding: Encoding): Promise<Buffer> {
  const { mtimeMs } = await stat(file);
  const cacheKey = `${encoding}:${file}`;
  const cached = compressedCache.get(cacheKey);
  if (cached && cached.mtimeMs === mtimeMs) return cached.body;
  const body = readFile(file).then((raw) =>
    encoding === 'br' ? brotli(raw, { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 11, [zlibConstants.BROTLI_PARAM_SIZE_HINT]: raw.length } }) : gzipAsync(raw, { level: 9 }),
  );
  compressedCache.set(cacheKey, { mtimeMs, body });
  body.catch(() => compressedCache.delete(cacheKey));
  return body;
}

async function isFile(file: string): Promise<boolean> {
  return stat(file).then(
    (info) => info.isFile(),
    () => false,
  );
}
