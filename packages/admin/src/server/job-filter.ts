import type { JobState } from '@jobby/core';
import type { JobListParams } from '@jobby/core/admin';
import { jobStateNames } from '../shared/api-types.js';
import { resolveType, type AdminContext } from './context.js';
import { badRequest } from './http-error.js';
import { assertKnownParams, optionalEnum, optionalList, optionalString, optionalTime, type Query } from './params.js';

/**
 * The Jobs page's filter, as query parameters (GET /api/jobs, /api/jobs/count) or as the `filter`
 * object of a bulk action: one parser, so that "all N matching this filter" acts on exactly the
 * jobs the list shows.
 */

/** The stored states, and the two kinds of queued job an operator asks for. */
export const listStateNames = [...jobStateNames, 'scheduled', 'retrying'] as const;

export const filterParams = ['plugin', 'type', 'state', 'keyPrefix', 'from', 'to', 'timeField'] as const;

/** The list's params without sort, cursor and limit; `undefined` when nothing can match. */
export type JobFilter = Omit<JobListParams, 'sort' | 'cursor' | 'limit'>;

export function parseJobFilter(context: AdminContext, params: Query, now: Date): JobFilter | undefined {
  const stateValues = optionalList(
    params,
    'state',
    (value) => {
      if (!(listStateNames as readonly string[]).includes(value)) throw badRequest(`state must be one of ${listStateNames.join(', ')}, got ${JSON.stringify(value.slice(0, 40))}`);
      return value as (typeof listStateNames)[number];
    },
    { maxItems: 8 },
  );
  // scheduled and retrying are kinds of queued jobs (job_queue's run_at and attempts), filtered alone.
  const queued = stateValues?.find((value): value is 'scheduled' | 'retrying' => value === 'scheduled' || value === 'retrying');
  if (queued && stateValues!.length > 1) throw badRequest(`state=${queued} is a kind of queued job and filters alone; drop the other states`);
  const states = queued ? (['queued'] as JobState[]) : (stateValues as JobState[] | undefined);
  let typeIds = optionalList(params, 'type', (value) => resolveType(context, value).id, { maxItems: 100 });
  const pluginName = optionalString(params, 'plugin', { maxLength: 200 });
  if (pluginName !== undefined) {
    const plugin = context.registry.plugins.find((entry) => entry.name === pluginName);
    if (!plugin) throw badRequest(`unknown plugin ${JSON.stringify(pluginName)}; known: ${context.registry.plugins.map((entry) => entry.name).join(', ')}`);
    const pluginTypeIds = plugin.jobTypes.map((entry) => entry.id);
    typeIds = typeIds ? typeIds.filter((id) => pluginTypeIds.includes(id)) : pluginTypeIds;
    // A type of another plugin: nothing can match.
    if (typeIds.length === 0) return undefined;
  }
  const keyPrefix = optionalString(params, 'keyPrefix', { maxLength: 512 });
  const from = optionalTime(params, 'from', now);
  const to = optionalTime(params, 'to', now);
  if (from && to && from >= to) throw badRequest('from must be before to');
  return { states, ...(queued ? { queued } : {}), typeIds, keyPrefix, from, to, timeField: optionalEnum(params, 'timeField', ['created', 'finished'] as const) ?? 'created' };
}

/** A bulk request's `filter`: an object of the same string parameters. */
export function filterFromBody(value: unknown): Query {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw badRequest('filter must be an object of the Jobs list parameters', { field: 'filter' });
  const query: Query = {};
  for (const [name, entry] of Object.entries(value)) {
    if (entry === undefined || entry === null || entry === '') continue;
    if (typeof entry !== 'string') throw badRequest(`filter.${name} must be a string, as in the list's query`, { field: `filter.${name}` });
    query[name] = entry;
  }
  assertKnownParams(query, filterParams);
  return query;
}

/**
 * The ids of the jobs that match, newest first, at most `cap` of them (walked a page of 500 at a
 * time through the list's keyset plans). `capped` says there were more.
 */
export async function matchingJobIds(context: AdminContext, filter: JobFilter | undefined, cap: number): Promise<{ ids: string[]; capped: boolean }> {
  if (!filter) return { ids: [], capped: false };
  const ids: string[] = [];
  const finishedOnly = filter.timeField === 'finished';
  let cursor: JobListParams['cursor'];
  for (;;) {
    const page = await context.admin.jobList({ ...filter, sort: finishedOnly ? '-finished' : '-created', cursor, limit: 500 });
    for (const job of page.jobs) {
      if (ids.length === cap) return { ids, capped: true };
      ids.push(job.id);
    }
    if (!page.nextCursor) return { ids, capped: false };
    cursor = page.nextCursor;
  }
}
