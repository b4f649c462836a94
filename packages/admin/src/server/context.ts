import type { JobbyClient, JobbyDatabase, JobbyRegistry, RegisteredJobType, Worker, createLogger } from '@jobby/core';
import type { JobAdmin } from '@jobby/core/admin';
import type { JobStore } from '@jobby/core/store';
import type { ChangeFeed } from './change-feed.js';
import { badRequest } from './http-error.js';

export type AdminLogger = ReturnType<typeof createLogger>;

/** What every handler gets: the database, the registry and the settings of this admin server. */
export interface AdminContext {
  /** The primary: every change goes there. */
  readonly database: JobbyDatabase;
  readonly registry: JobbyRegistry;
  /** The core store: every mutation goes through it (cancel, retry, re-run, run now). */
  readonly store: JobStore;
  /** The typed client: submissions are validated exactly as application code's are. */
  readonly client: JobbyClient;
  /** Core's admin reads (`@jobby/core/admin`) on the read database: every read goes through them. */
  readonly admin: JobAdmin;
  /** The same on the primary, for what writes: the audit trail. */
  readonly primaryAdmin: JobAdmin;
  /** The store on the read database, for reads the store owns (flow controls). */
  readonly readStore: JobStore;
  readonly logger: AdminLogger;
  /** The operator token: reads and changes (`JOBBY_ADMIN_TOKEN`). */
  readonly token: string | undefined;
  /** The read-only token (`JOBBY_ADMIN_READ_TOKEN`). */
  readonly readToken: string | undefined;
  /** Beyond loopback, or with a read token configured: reads need a token too. */
  readonly readsNeedToken: boolean;
  readonly embedded: boolean;
  readonly worker: Worker | undefined;
  /** What changed, for `GET /api/events`. */
  readonly changes: ChangeFeed;
}

/** `plugin.Job` for an id, or `#id` for a type this registry does not know. */
export function typeName(context: Pick<AdminContext, 'registry'>, typeId: number): string {
  return context.registry.byId(typeId)?.fullName ?? `#${typeId}`;
}

/** Resolves `plugin.Job` or a numeric id to a registered type; 400 when unknown. */
export function resolveType(context: Pick<AdminContext, 'registry'>, value: string): RegisteredJobType {
  const byName = context.registry.byName(value);
  if (byName) return byName;
  if (/^\d{4,9}$/.test(value)) {
    const byId = context.registry.byId(Number(value));
    if (byId) return byId;
  }
  throw badRequest(`unknown job type ${JSON.stringify(value.slice(0, 80))}; known: ${context.registry.jobTypes.map((type) => type.fullName).join(', ')}`);
}
