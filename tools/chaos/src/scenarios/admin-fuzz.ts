import { queryRetrying } from '../audit.js';
import { chaosRegistry } from '../plugin.js';
import type { Random } from '../random.js';
import { Run, silentLogger, work, type Scenario } from '../scenario.js';

/**
 * admin-fuzz: generated requests against every admin API endpoint (in process, through the hono
 * app's `request`), with SQL and HTML injection strings, broken JSON, huge and negative numbers.
 * Checks: 0 responses ≥ 500; mutations without a token → 401 and nothing changed; cross-site
 * mutations (with a valid token) → 403 and nothing changed; an oversize body → 413.
 */

const token = 'chaos-admin-token';
const base = 'http://127.0.0.1';

const nasty = [
  `' OR 1=1 --`,
  `'; drop table jobs; --`,
  `1; select pg_sleep(5)`,
  `" onmouseover="alert(1)`,
  `<script>alert(1)</script>`,
  `<img src=x onerror=alert(1)>`,
  `../../etc/passwd`,
  `%00`,
  '\u0000',
  '\u202e\u0000\uffff',
  `😀`,
  `${'a'.repeat(5_000)}`,
  `-1`,
  `0`,
  `1e309`,
  `9223372036854775808`,
  `99999999999999999999999`,
  `NaN`,
  `null`,
  `[]`,
  `{}`,
  `true`,
  ``,
  ` `,
  `chaos.Work`,
  `chaos.Join`,
  `chaos.Nope`,
  `queued`,
  `failed`,
  `running,failed`,
  `2024-01-01T00:00:00Z`,
  `finished_at`,
  `-created`,
];

function value(random: Random, ids: readonly string[]): string {
  const roll = random.next();
  if (roll < 0.3) return random.pick(ids);
  if (roll < 0.4) return String(random.int(-1_000, 1_000_000));
  return random.pick(nasty);
}

function jsonValue(random: Random, ids: readonly string[], depth = 0): unknown {
  const roll = random.next();
  if (depth > 3 || roll < 0.4) return value(random, ids);
  if (roll < 0.55) return random.int(-(2 ** 40), 2 ** 40);
  if (roll < 0.6) return random.pick([null, true, false, 1.5, -0, 1e300]);
  if (roll < 0.8) return Array.from({ length: random.int(0, 4) }, () => jsonValue(random, ids, depth + 1));
  const fields = ['type', 'key', 'input', 'dependsOn', 'maxAttempts', 'priority', 'runAt', 'action', 'ids', 'ms', random.pick(nasty)];
  return Object.fromEntries(Array.from({ length: random.int(0, 6) }, () => [random.pick(fields), jsonValue(random, ids, depth + 1)]));
}

interface Endpoint {
  name: string;
  method: 'GET' | 'POST';
  path: (id: string) => string;
  params?: string[];
}

const endpoints: Endpoint[] = [
  { name: 'GET /api/meta', method: 'GET', path: () => '/api/meta' },
  { name: 'GET /api/overview', method: 'GET', path: () => '/api/overview' },
  { name: 'GET /api/counts', method: 'GET', path: () => '/api/counts' },
  { name: 'GET /api/schedules', method: 'GET', path: () => '/api/schedules' },
  { name: 'GET /api/throughput', method: 'GET', path: () => '/api/throughput', params: ['window', 'type'] },
  { name: 'GET /api/jobs', method: 'GET', path: () => '/api/jobs', params: ['plugin', 'type', 'state', 'keyPrefix', 'from', 'to', 'timeField', 'sort', 'cursor', 'limit'] },
  { name: 'GET /api/jobs/:id', method: 'GET', path: (id) => `/api/jobs/${id}` },
  { name: 'GET /api/jobs/:id/input', method: 'GET', path: (id) => `/api/jobs/${id}/input` },
  { name: 'GET /api/jobs/:id/output', method: 'GET', path: (id) => `/api/jobs/${id}/output` },
  { name: 'GET /api/jobs/:id/graph', method: 'GET', path: (id) => `/api/jobs/${id}/graph`, params: ['limit'] },
  { name: 'GET /api/job-types/:type/stats', method: 'GET', path: (type) => `/api/job-types/${type}/stats`, params: ['sample'] },
  { name: 'POST /api/jobs', method: 'POST', path: () => '/api/jobs' },
  { name: 'POST /api/jobs/bulk', method: 'POST', path: () => '/api/jobs/bulk' },
  ...(['retry', 'cancel', 'run-now', 'rerun'] as const).map((action): Endpoint => ({ name: `POST /api/jobs/:id/${action}`, method: 'POST', path: (id) => `/api/jobs/${id}/${action}` })),
];

export const adminFuzz: Scenario = async (options) => {
  let admin: typeof import('@jobby/admin');
  try {
    admin = await import('@jobby/admin');
  } catch (error) {
    return { scenario: 'admin-fuzz', seed: options.seed, ok: false, durationMs: 0, failures: [`@jobby/admin is not available: ${(error as Error).message}`] };
  }
  const perEndpoint = options.short ? 100 : 2_000;
  const run = await Run.start('admin-fuzz', options);
  try {
    await run.submit(Array.from({ length: 40 }, (_, index) => ({ type: work, key: `seed-${index}`, input: { ms: 0 }, kind: 'seed' })));
    const ids = run.enqueued.map((job) => job.id);
    const app = admin.createAdminApp({ database: run.database, registry: chaosRegistry, token, host: '127.0.0.1', logger: silentLogger });
    const statuses: Record<string, Record<number, number>> = {};
    const serverErrors: { endpoint: string; url: string; status: number; body: string }[] = [];
    const send = async (endpoint: Endpoint, init: { url: string; body?: string; headers?: Record<string, string> }) => {
      const response = await app.request(`${base}${init.url}`, { method: endpoint.method, body: init.body, headers: init.headers });
      const counts = (statuses[endpoint.name] ??= {});
      counts[response.status] = (counts[response.status] ?? 0) + 1;
      const text = await response.text();
      if (response.status >= 500) serverErrors.push({ endpoint: endpoint.name, url: init.url.slice(0, 200), status: response.status, body: text.slice(0, 300) });
      return response.status;
    };
    const snapshot = async () =>
      (await queryRetrying<{ digest: string }>(run.chaos.pool, `select md5(coalesce(string_agg(id || ':' || state || ':' || attempts || ':' || key, ',' order by id), '')) as digest from ${run.schema}.chaos_jobs`)).rows[0]!.digest;
    const random = run.random;
    const pathValue = (endpoint: Endpoint) => encodeURIComponent(endpoint.name.includes(':type') ? random.pick(['chaos.Work', 'chaos.Join', ...nasty]) : value(random, ids));
    const body = () => (random.chance(0.1) ? random.pick(['{', 'not json', '{"type":', '\u0000', '[1,2', '']) : JSON.stringify(jsonValue(random, ids)));

    // 1. Authenticated, same-site fuzz: anything may be refused (4xx), nothing may fail (5xx).
    for (const endpoint of endpoints) {
      for (let index = 0; index < perEndpoint; index++) {
        const query = (endpoint.params ?? []).concat(random.chance(0.1) ? [random.pick(nasty)] : []).filter(() => random.chance(0.6));
        const search = query.length ? `?${query.map((name) => `${encodeURIComponent(name)}=${encodeURIComponent(value(random, ids))}`).join('&')}` : '';
        const url = `${endpoint.path(pathValue(endpoint))}${search}`;
        const headers: Record<string, string> = endpoint.method === 'POST' ? { authorization: `Bearer ${token}`, 'content-type': 'application/json' } : {};
        // A quarter of the submissions are well-formed, with hostile keys, so that the write path is fuzzed too.
        const payload = endpoint.name === 'POST /api/jobs' && random.chance(0.25) ? JSON.stringify({ type: 'chaos.Work', key: value(random, ids), input: { ms: random.int(0, 10) } }) : body();
        await send(endpoint, { url, body: endpoint.method === 'POST' ? payload : undefined, headers });
      }
    }
    // 2. No token, wrong token: 401, nothing changed.
    const mutations = endpoints.filter((endpoint) => endpoint.method === 'POST');
    const before = await snapshot();
    let unauthorizedNot401 = 0;
    for (const endpoint of mutations) {
      for (let index = 0; index < Math.min(perEndpoint, 200); index++) {
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (random.chance(0.5)) headers.authorization = random.pick([`Bearer ${encodeURIComponent(random.pick(nasty)).slice(0, 200)}`, 'Bearer', `Basic ${token}`, `bearer  ${token}x`]);
        const status = await send(endpoint, { url: endpoint.path(random.pick(ids)), body: JSON.stringify({ type: 'chaos.Work', key: `unauth-${index}`, input: { ms: 0 }, action: 'cancel', ids }), headers });
        if (status !== 401) unauthorizedNot401++;
      }
    }
    const afterUnauthorized = await snapshot();
    // 3. Cross-site with a valid token: 403, nothing changed.
    let crossSiteNot403 = 0;
    for (const endpoint of mutations) {
      for (let index = 0; index < Math.min(perEndpoint, 200); index++) {
        const headers: Record<string, string> = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
        if (random.chance(0.5)) headers.origin = random.pick(['https://evil.example', 'http://127.0.0.1.evil.example', 'null']);
        else headers['sec-fetch-site'] = 'cross-site';
        const status = await send(endpoint, { url: endpoint.path(random.pick(ids)), body: JSON.stringify({ type: 'chaos.Work', key: `xsite-${index}`, input: { ms: 0 }, action: 'cancel', ids }), headers });
        if (status !== 403) crossSiteNot403++;
      }
    }
    const afterCrossSite = await snapshot();
    // 4. Oversize bodies: 413.
    const oversize = JSON.stringify({ type: 'chaos.Work', key: 'huge', input: { ms: 0, pad: 'x'.repeat(admin.defaultMaxBodyBytes + 1_024) } });
    let oversizeNot413 = 0;
    for (const endpoint of mutations) {
      const status = await send(endpoint, { url: endpoint.path(random.pick(ids)), body: oversize, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } });
      if (status !== 413) oversizeNot413++;
    }
    run.expect(serverErrors.length === 0, `${serverErrors.length} responses ≥ 500, e.g. ${JSON.stringify(serverErrors.slice(0, 3))}`);
    run.expect(unauthorizedNot401 === 0, `${unauthorizedNot401} unauthenticated mutations were not answered 401`);
    run.expect(before === afterUnauthorized, 'unauthenticated mutations changed a job (its record, state or attempts)');
    run.expect(crossSiteNot403 === 0, `${crossSiteNot403} cross-site mutations were not answered 403`);
    run.expect(afterUnauthorized === afterCrossSite, 'cross-site mutations changed a job (its record, state or attempts)');
    run.expect(oversizeNot413 === 0, `${oversizeNot413} oversize bodies were not answered 413`);
    const requests = Object.values(statuses).reduce((sum, counts) => sum + Object.values(counts).reduce((a, b) => a + b, 0), 0);
    return run.result({
      endpoints: endpoints.length,
      perEndpoint,
      requests,
      serverErrors: serverErrors.length,
      unauthorizedNot401,
      unchangedWithoutToken: before === afterUnauthorized,
      crossSiteNot403,
      unchangedCrossSite: afterUnauthorized === afterCrossSite,
      oversizeNot413,
      statuses,
    });
  } finally {
    await run.close();
  }
};
