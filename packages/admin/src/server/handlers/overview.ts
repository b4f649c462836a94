import type { Hono } from 'hono';
import type { CountsResponse, JobTypeInfo, OverviewResponse, PluginInfo, QueueHealthResponse, ThroughputResponse, WorkerInfo } from '../../shared/api-types.js';
import { resolveType, typeName, type AdminContext } from '../context.js';
import { assertKnownParams, optionalEnum, optionalList, type Query } from '../params.js';
import { jobThroughputWindows, type JobThroughputWindow } from '@jobby/core/admin';

/**
 * The overview's three endpoints, fetched side by side by the UI:
 * - GET /api/overview: plugins and job types from the registry, with the workers that live
 *   processes registered for each (concurrency, poll interval from `workers.metadata.workers`);
 * - GET /api/counts: jobs per type and state (finished states from the rollups: finishes, kept
 *   after pruning);
 * - GET /api/throughput?window=1h|6h|24h&type=…: finished jobs per time bucket (rollups);
 * - GET /api/queue-health: per type, queue depth by kind, the oldest due job's wait, pickup
 *   latency and the last hour's failures (job_queue, job_running, rollups; never history).
 */

/** What a worker process registers about its workers in `workers.metadata`. */
type WorkerMetadata = { workers?: { name?: unknown; type?: unknown; concurrency?: unknown; pollIntervalMs?: unknown; timeoutMs?: unknown }[] };

export function registerOverviewRoutes(app: Hono, context: AdminContext): void {
  app.get('/api/overview', async (c) => {
    assertKnownParams(c.req.query() as Query, []);
    const [workers, knownTypes, databaseNow] = await Promise.all([
      context.admin.workerList({ withinSeconds: 86_400, aliveSeconds: 60, limit: 200 }),
      context.admin.jobTypeList(),
      context.admin.databaseNow(),
    ]);
    const registeredByType = new Map<string, JobTypeInfo['workers']>();
    for (const worker of workers) {
      if (!worker.alive) continue;
      for (const entry of (worker.metadata as WorkerMetadata).workers ?? []) {
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
          jobTypes: worker.jobTypeIds.map((id) => typeName(context, id)),
          startedAt: worker.startedAt.toISOString(),
          lastHeartbeatAt: worker.lastHeartbeatAt.toISOString(),
          stoppedAt: worker.stoppedAt?.toISOString() ?? null,
          alive: worker.alive,
          inProcess: worker.id === inProcessId,
          heldJobs: worker.id === inProcessId ? (context.worker?.heldCount ?? null) : null,
        }),
      ),
      unknownTypes: knownTypes.filter((type) => !context.registry.byId(type.id)),
      databaseNow: databaseNow.toISOString(),
    };
    return c.json(body);
  });

  app.get('/api/counts', async (c) => {
    assertKnownParams(c.req.query() as Query, []);
    const counts = await context.admin.jobCountByTypeAndState();
    const body: CountsResponse = {
      counts: counts.map((row) => ({ typeId: row.typeId, type: typeName(context, row.typeId), state: row.state, count: row.count })),
      // Every count is live: queued, waiting and running from the hot tables, finished states from
      // the rollups bumped with each completion batch. The field stays for clients that show it.
      succeededCountedAt: null,
    };
    return c.json(body);
  });

  app.get('/api/queue-health', async (c) => {
    assertKnownParams(c.req.query() as Query, []);
    const { now, types } = await context.admin.jobQueueHealth();
    const body: QueueHealthResponse = {
      databaseNow: now.toISOString(),
      types: types.map((health) => ({
        type: typeName(context, health.typeId),
        due: health.due,
        scheduled: health.scheduled,
        retrying: health.retrying,
        waiting: health.waiting,
        running: health.running,
        oldestDueAgeMs: health.oldestDueReadyAt ? Math.max(0, now.getTime() - health.oldestDueReadyAt.getTime()) : null,
        pickupMs: health.pickupMs === null ? null : Math.round(health.pickupMs),
        lastHour: health.lastHour.map((bucket) => ({ ...bucket, start: bucket.start.toISOString() })),
      })),
    };
    return c.json(body);
  });

  app.get('/api/throughput', async (c) => {
    const params = c.req.query() as Query;
    assertKnownParams(params, ['window', 'type']);
    const window: JobThroughputWindow = optionalEnum(params, 'window', Object.keys(jobThroughputWindows) as JobThroughputWindow[]) ?? '24h';
    const typeIds = optionalList(params, 'type', (value) => resolveType(context, value).id, { maxItems: 100 });
    const result = await context.admin.jobThroughput({ window, typeIds });
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
