import { Queue, Worker, type RedisOptions } from 'bullmq';
import { Redis } from 'ioredis';
import type { BenchContext, BenchSystem, OnJobStart } from '../system.js';

/**
 * BullMQ 6 on Redis: what most Node users pick instead of a Postgres queue. Its documented
 * defaults, as a Node user would run it: `Queue#addBulk` / `Queue#add`, one `Worker` with
 * concurrency 10 (the bench's), a no-op async processor, and **completed jobs kept** (BullMQ's
 * default, `removeOnComplete` unset): jobby keeps every finished job, its output and history, so
 * keeping them is the comparable setting. A run's keys live under their own prefix (the run's
 * schema name), deleted at teardown.
 *
 * Not measured for BullMQ, and why (see the README): WAL per job (there is no Postgres; Redis here
 * persists nothing, neither RDB nor AOF), `dag` (a BullMQ flow is a tree: a job has at most one
 * parent, so root → many → sink cannot be written), `process-history` (10M completed jobs would
 * take several GB of Redis memory; `process-bloated` seeds 1M).
 */

const queueName = 'noop';

/** ioredis options from a redis:// URL. `maxRetriesPerRequest: null` is what BullMQ's workers require. */
export function redisOptions(url: string): RedisOptions {
  const parsed = new URL(url);
  return {
    host: parsed.hostname || '127.0.0.1',
    port: Number(parsed.port || 6379),
    db: Number(parsed.pathname.slice(1) || 0),
    username: parsed.username || undefined,
    password: parsed.password || undefined,
    maxRetriesPerRequest: null,
  };
}

/**
 * Writes completed jobs 1…count the way BullMQ leaves a job that succeeded (a hash per job, its id
 * in the `completed` sorted set, scored by finishing time) and moves the id counter past them, so
 * new jobs get new ids. Server-side, 10,000 jobs per call. The fields are those of a job BullMQ
 * 6.7 completed here (read back with HGETALL): a change of its layout needs a change here.
 */
const fillScript = `
local prefix, first, last, base = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
for id = first, last do
  local finished = base + id
  redis.call('HSET', prefix .. id, 'name', 'noop', 'data', '{"i":' .. id .. '}', 'opts', '{"attempts":0}',
    'timestamp', finished - 20, 'delay', 0, 'priority', 0, 'processedOn', finished - 5, 'ats', 1, 'atm', 1,
    'returnvalue', 'null', 'finishedOn', finished)
  redis.call('ZADD', prefix .. 'completed', finished, id)
end
redis.call('SET', prefix .. 'id', last)
return last
`;

export function createBullmqSystem(context: BenchContext): BenchSystem {
  const connection = redisOptions(context.redisUrl);
  const prefix = context.schema;
  let queue: Queue;
  let worker: Worker | undefined;
  let admin: Redis | undefined;
  const adminClient = () => (admin ??= new Redis(connection));
  return {
    name: 'bullmq',
    storage: 'redis',
    variant: 'concurrency=10,keep completed',
    async setup() {
      queue = new Queue(queueName, { connection, prefix });
      await queue.waitUntilReady();
    },
    async enqueueBatch(from, count) {
      await queue.addBulk(Array.from({ length: count }, (_, index) => ({ name: queueName, data: { i: from + index } })));
    },
    async enqueueOne(index) {
      await queue.add(queueName, { i: index });
    },
    async enqueueScheduled(from, runAts) {
      const now = Date.now();
      await queue.addBulk(runAts.map((runAt, k) => ({ name: queueName, data: { i: from + k }, opts: { delay: Math.max(0, runAt.getTime() - now) } })));
    },
    async startWorker(onStart: OnJobStart) {
      worker = new Worker<{ i: number }>(
        queueName,
        async (job) => {
          onStart(job.data.i);
        },
        { connection, prefix, concurrency: context.concurrency },
      );
      // On stderr, which the run's failure message ends with, rather than unhandled.
      worker.on('error', (error) => process.stderr.write(`bullmq worker: ${String(error)}\n`));
      await worker.waitUntilReady();
    },
    async stopWorker() {
      await worker?.close();
      worker = undefined;
    },
    async unfinished() {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
      return Object.values(counts).reduce((sum, count) => sum + count, 0);
    },
    async fillFinished(count) {
      const client = adminClient();
      const now = Date.now();
      for (let first = 1; first <= count; first += 10_000) {
        // One job per millisecond, the last finishing now.
        await client.eval(fillScript, 1, `${prefix}:${queueName}:`, first, Math.min(count, first + 9_999), now - count);
      }
    },
    tables() {
      return [];
    },
    async teardown() {
      await worker?.close(true).catch(() => {});
      await queue?.close().catch(() => {});
      // Every key of this run, whatever BullMQ made of them (job hashes, sets, streams, meta).
      const client = adminClient();
      try {
        await unlinkMatching(client, `${prefix}:*`);
      } finally {
        client.disconnect();
      }
    },
  };
}

async function unlinkMatching(client: Redis, pattern: string): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 10_000);
    cursor = next;
    if (keys.length > 0) await client.unlink(...keys);
  } while (cursor !== '0');
}

/** Keys a killed run left behind (runs delete their own; a SIGKILL cannot). */
export async function deleteLeftoverKeys(redisUrl: string, pattern: string): Promise<void> {
  const client = new Redis(redisOptions(redisUrl));
  try {
    await unlinkMatching(client, pattern);
  } finally {
    client.disconnect();
  }
}
