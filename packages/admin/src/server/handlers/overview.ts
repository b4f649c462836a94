import type { Hono } from 'hono';
import type { CountsResponse, JobTypeInfo, OverviewResponse, PluginInfo, ThroughputResponse, WorkerInfo } from '../../shared/api-types.js';
import { resolveType, typeName, type AdminContext } from '../context.js';
import { assertKnownParams, optionalEnum, optionalList, type Query } from '../params.js';
import { jobThroughput, throughputWindows, type ThroughputWindow } from '../queries/throughput.js';
import { query } from '../queries/tables.js';

/**
 * The overview's three endpoints, fetched side by side by the UI:
 * - GET /api/overview: plugins and job types from the registry, with the workers that live
 *   processes registered for each (concurrency, poll interval from `workers.metadata.workers`);
 * - GET /api/counts: jobs per type and state;
 * - GET /api/throughput?window=1h|6h|24h&type=…: finished jobs per time bucket.
 */

interface WorkerRow {
  id: string;
  hostname: string;
  pid: number;
  job_type_ids: number[];
  concurrency: number;
  started_at: Date;
  last_heartbeat_at: Date;
  stopped_at: Date | null;
  metadata: { workers?: { name?: unknown; type?: unknown; concurrency?: unknown; pollIntervalMs?: unknown; timeoutMs?: unknown }[] } | null;
  alive: boolean;
}

export function registerOverviewRoutes(app: Hono, context: AdminContext): void {
  app.get('/api/overview', async (c) => {
    assertKnownParams(c.req.query() as Query, []);
    const [workers, knownTypes, [clock]] = await Promise.all([
      query<WorkerRow>(
        context.database.pool,
        `select id, hostname, pid, job_type_ids, concurrency, started_at, last_heartbeat_at, stopped_at, metadata,
                (stopped_at is null and last_heartbeat_at > now() - interval '60 seconds') as alive
         from ${context.tables.workers}
         where last_heartbeat_at > now() - interval '1 day'
         order by (stopped_at is null) desc, last_heartbeat_at desc
         limit 200`,
      ),
      query<{ id: number; name: string }>(context.database.pool, `select id, name from ${context.tables.jobTypes} order by id`),
      query<{ now: Date }>(context.database.pool, 'select now() as now'),
    ]);
    const registeredByType = new Map<string, JobTypeInfo['workers']>();
    for (const worker of workers) {
      if (!worker.alive) continue;
      for (const entry of worker.metadata?.workers ?? []) {
        if (typeof entry?.type !== 'string') continue;
        const list = registeredByType.get(entry.type) ?? [];
        list.push({
          workerId: worker.id,
          name: typeof entry.name === 'string' ? entry.name : '?',
          concurrency: typeof entry.concurrency === 'number' ? entry.concurrency : worker.concurrency,
          pollIntervalMs: typeof entry.pollIntervalMs === 'number' ? entry.pollIntervalMs : 0,
          timeoutMs: typeof entry.timeoutMs === 'number' ? entry.timeoutMs : null,
        });
        registeredByType.set(entry.type, list);
      }
    }
    const plugins: PluginInfo[] = context.registry.plugins.map((plugin) => ({
      name: plugin.name,
      clientId: plugin.clientId,
      packageName: plugin.packageName,
      version: plugin.version,
      jobTypes: plugin.jobTypes.map((entry) => jobTypeInfo(context, `${plugin.name}.${entry.name}`, registeredByType)),
    }));
    const inProcessId = context.worker?.id;
    const body: OverviewResponse = {
      plugins,
      workers: workers.map(
        (worker): WorkerInfo => ({
          id: worker.id,
          hostname: worker.hostname,
          pid: worker.pid,
          concurrency: worker.concurrency,
          jobTypes: worker.job_type_ids.map((id) => typeName(context, id)),
          startedAt: worker.started_at.toISOString(),
          lastHeartbeatAt: worker.last_heartbeat_at.toISOString(),
          stoppedAt: worker.stopped_at?.toISOString() ?? null,
          alive: worker.alive,
          inProcess: worker.id === inProcessId,
          heldJobs: worker.id === inProcessId ? (context.worker?.heldCount ?? null) : null,
        }),
      ),
      unknownTypes: knownTypes.filter((type) => !context.registry.byId(type.id)),
      databaseNow: clock!.now.toISOString(),
    };
    return c.json(body);
  });

  app.get('/api/counts', async (c) => {
    assertKnownParams(c.req.query() as Query, []);
    const result = await context.countsCache.counts();
    const body: CountsResponse = {
      counts: result.rows.map((row) => ({ ...row, type: typeName(context, row.typeId) })),
      succeededCountedAt: result.succeededCountedAt?.toISOString() ?? null,
    };
    return c.json(body);
  });

  app.get('/api/throughput', async (c) => {
    const params = c.req.query() as Query;
    assertKnownParams(params, ['window', 'type']);
    const window: ThroughputWindow = optionalEnum(params, 'window', Object.keys(throughputWindows) as ThroughputWindow[]) ?? '24h';
    const typeIds = optionalList(params, 'type', (value) => resolveType(context, value).id, { maxItems: 100 });
    const result = await jobThroughput({ pool: context.database.pool, tables: context.tables }, { window, typeIds });
    const body: ThroughputResponse = {
      from: result.from.toISOString(),
      to: result.to.toISOString(),
      bucketSeconds: result.bucketSeconds,
      buckets: result.buckets.map((bucket) => ({ ...bucket, start: bucket.start.toISOString() })),
    };
    return c.json(body);
  });
}

export function jobTypeInfo(context: AdminContext, fullName: string, registeredByType?: Map<string, JobTypeInfo['workers']>): JobTypeInfo {
  const type = context.registry.byName(fullName)!;
  const inProcess = context.worker?.workers.filter((worker) => worker.type.id === type.id) ?? [];
  const fromDatabase = registeredByType?.get(fullName) ?? [];
  // The in-process worker may not have heartbeated yet; its settings are known directly.
  const workers = [
    ...fromDatabase,
    ...inProcess
      .filter(() => !fromDatabase.some((entry) => entry.workerId === context.worker!.id))
      .map((worker) => ({
        workerId: context.worker!.id,
        name: worker.name,
        concurrency: worker.options.concurrency,
        pollIntervalMs: worker.options.pollIntervalMs,
        timeoutMs: worker.options.timeoutMs ?? null,
      })),
  ];
  return {
    id: type.id,
    localId: type.localId,
    fullName: type.fullName,
    plugin: type.plugin.name,
    name: type.name,
    submittable: type.submittable,
    description: type.description ?? null,
    inputSchema: type.inputSchema ?? null,
    outputSchema: type.outputSchema ?? null,
    workers,
  };
}
