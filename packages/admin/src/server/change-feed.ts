import { jobChanges, type JobChangeCursor } from '@jobby/core/admin';
import type { AdminLogger } from './context.js';
import type { ChangeEvent } from '../shared/api-types.js';

/**
 * What changed, for the pages that are open: one reader of core's change cursor per admin server,
 * started by the first subscriber (an open event stream, `GET /api/events`) and stopped by the
 * last. Every `intervalMs` it reads the cursor (one statement of counters, see
 * job-change-cursor.ts) and, when something moved, tells every subscriber which topics changed:
 * `jobs` (submitted, started, finished, retried, cancelled), `type:<plugin.Job>` for each type with
 * new finishes, `controls` (pause, limits), `audit` (an operator's change). So a client gets at
 * most one event per interval however fast jobs run, and the database one read per interval
 * however many pages are open. A failed read (the statement timeout, a lost connection) is logged
 * once and retried at the next tick; nothing is sent meanwhile.
 */

export interface ChangeFeed {
  /** Adds a listener; the returned function removes it. */
  subscribe(listener: (event: ChangeEvent) => void): () => void;
  readonly intervalMs: number;
}

export interface ChangeFeedParams {
  readCursor: () => Promise<JobChangeCursor>;
  typeName: (typeId: number) => string;
  intervalMs: number;
  logger: AdminLogger;
}

export function createChangeFeed(params: ChangeFeedParams): ChangeFeed {
  const listeners = new Set<(event: ChangeEvent) => void>();
  let timer: NodeJS.Timeout | undefined;
  let previous: JobChangeCursor | undefined;
  let failing = false;

  const tick = async () => {
    try {
      const current = await params.readCursor();
      failing = false;
      if (previous) {
        const changes = jobChanges(previous, current);
        const topics = [
          ...(changes.jobs ? ['jobs'] : []),
          ...changes.typeIds.map((typeId) => `type:${params.typeName(typeId)}`),
          ...(changes.controls ? ['controls'] : []),
          ...(changes.actions ? ['audit'] : []),
        ];
        if (topics.length > 0) for (const listener of listeners) listener({ topics });
      }
      previous = current;
    } catch (error) {
      if (!failing) params.logger.warn({ err: error }, 'admin: could not read what changed; live updates wait for the next try');
      failing = true;
    }
    schedule();
  };
  const schedule = () => {
    if (listeners.size === 0) {
      timer = undefined;
      previous = undefined;
      return;
    }
    timer = setTimeout(() => void tick(), params.intervalMs);
    timer.unref();
  };

  return {
    intervalMs: params.intervalMs,
    subscribe(listener) {
      listeners.add(listener);
      if (!timer) {
        // The first subscriber: read the starting point now, so that the first change counts.
        timer = setTimeout(() => void tick(), 0);
        timer.unref();
      }
      return () => {
        listeners.delete(listener);
      };
    },
  };
}
