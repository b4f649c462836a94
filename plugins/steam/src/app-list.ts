import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { NonRetryableError } from '@jobby/core';
import type { SteamApp } from './jobs.js';

/**
 * Reading a Steam-like app list: `{ "applist": { "apps": [{ "appid": 10, "name": "…" }] } }`,
 * the shape of Steam's `ISteamApps/GetAppList/v2`. Parsing is strict: a response of another shape
 * is a permanent failure (retrying the same URL will not change its shape), while network errors
 * and 5xx/429 responses are retried.
 */

/** The sample app list this package ships (`data/app-list.json`); the default source of `FetchAppList`. */
export const sampleAppListUrl = new URL('../data/app-list.json', import.meta.url);

/** @deprecated Renamed {@link sampleAppListUrl}: the file is sample data read at run time, not a test fixture. */
export const fixtureAppListUrl = sampleAppListUrl;

/** An error that retrying cannot fix; the runtime fails the job without further attempts. */
export class PermanentSteamError extends NonRetryableError {}

/** Parses and validates an app list document; throws {@link PermanentSteamError} naming the first problem. */
export function parseAppList(document: unknown, source: string): SteamApp[] {
  const apps = (document as { applist?: { apps?: unknown } } | null)?.applist?.apps;
  if (!Array.isArray(apps)) throw new PermanentSteamError(`${source}: expected { applist: { apps: [...] } }`);
  return apps.map((entry: unknown, index) => {
    const { appid, name } = (entry ?? {}) as { appid?: unknown; name?: unknown };
    if (typeof appid !== 'number' || !Number.isInteger(appid) || appid < 0) {
      throw new PermanentSteamError(`${source}: applist.apps[${index}].appid must be a non-negative integer, got ${JSON.stringify(appid)}`);
    }
    if (typeof name !== 'string') throw new PermanentSteamError(`${source}: applist.apps[${index}].name must be a string, got ${JSON.stringify(name)}`);
    return { id: appid, name };
  });
}

/**
 * Loads the app list document from `url` (`http(s):` through `fetch` with `signal`, `file:` from
 * disk) and returns its apps.
 */
export async function loadAppList(url: URL, signal: AbortSignal): Promise<SteamApp[]> {
  const source = url.href;
  if (url.protocol === 'file:') {
    const text = await readFile(fileURLToPath(url), { encoding: 'utf8', signal });
    return parseAppList(parseJson(text, source), source);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new PermanentSteamError(`${source}: only http(s): and file: URLs are supported`);
  }
  const response = await fetch(url, { signal, headers: { accept: 'application/json' } });
  if (!response.ok) {
    const message = `${source}: HTTP ${response.status} ${response.statusText}`.trim();
    // 4xx other than 408/429 will not get better by asking again.
    if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) throw new PermanentSteamError(message);
    throw new Error(message);
  }
  return parseAppList(parseJson(await response.text(), source), source);
}

/** Parses a URL given in a job input; a malformed one is permanent. */
export function appListUrl(url: string | undefined): URL {
  if (url === undefined) return sampleAppListUrl;
  try {
    return new URL(url);
  } catch (error) {
    throw new PermanentSteamError(`url ${JSON.stringify(url)} is not an absolute URL`, { cause: error });
  }
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PermanentSteamError(`${source}: not JSON (${(error as Error).message})`, { cause: error });
  }
}
