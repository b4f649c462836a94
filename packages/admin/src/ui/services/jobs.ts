import {
  jobStateNames,
  type ActionResponse,
  type BulkResponse,
  type GraphResponse,
  type GraphView,
  type JobCountResponse,
  type JobAction,
  type JobDetailResponse,
  type JobListResponse,
  type JobStateName,
  type SubmitRequest,
  type SubmitResponse,
} from '../../shared/api-types.js';
import { apiGet, apiPost, queryString } from './api-client.js';

/** Job list filters as the URL of the Jobs page carries them (so a filtered view can be shared). */
export interface JobFilters {
  plugin: string;
  type: string;
  /** Stored states, or one kind of queued job (`scheduled`, `retrying`), which filters alone. */
  states: (JobStateName | 'scheduled' | 'retrying')[];
  keyPrefix: string;
  /** Relative (`-1h`) or ISO. */
  from: string;
  to: string;
  timeField: 'created' | 'finished';
  sort: '-created' | 'created' | '-finished' | 'finished';
}

export const emptyFilters: JobFilters = { plugin: '', type: '', states: [], keyPrefix: '', from: '', to: '', timeField: 'created', sort: '-created' };

export function filtersFromSearch(search: string): JobFilters {
  const params = new URLSearchParams(search);
  const sort = params.get('sort');
  return {
    plugin: params.get('plugin') ?? '',
    type: params.get('type') ?? '',
    states: (params.get('state') ?? '').split(',').filter((state): state is JobFilters['states'][number] => [...jobStateNames, 'scheduled', 'retrying'].includes(state)),
    keyPrefix: params.get('keyPrefix') ?? '',
    from: params.get('from') ?? '',
    to: params.get('to') ?? '',
    timeField: params.get('timeField') === 'finished' ? 'finished' : 'created',
    sort: sort === 'created' || sort === '-finished' || sort === 'finished' ? sort : '-created',
  };
}

export function filtersToParams(filters: JobFilters): Record<string, string | undefined> {
  return {
    plugin: filters.plugin || undefined,
    type: filters.type || undefined,
    state: filters.states.join(',') || undefined,
    keyPrefix: filters.keyPrefix || undefined,
    from: filters.from || undefined,
    to: filters.to || undefined,
    timeField: filters.timeField === 'finished' ? 'finished' : undefined,
    sort: filters.sort === '-created' ? undefined : filters.sort,
  };
}

export const listJobs = (filters: JobFilters, cursor: string | null, limit: number, signal?: AbortSignal) =>
  apiGet<JobListResponse>(`/api/jobs${queryString({ ...filtersToParams(filters), cursor, limit })}`, signal);

export const getJob = (id: string, signal?: AbortSignal) => apiGet<JobDetailResponse>(`/api/jobs/${encodeURIComponent(id)}`, signal);

export const getGraph = (id: string, options: { view: GraphView; limit?: number }, signal?: AbortSignal) =>
  apiGet<GraphResponse>(`/api/jobs/${encodeURIComponent(id)}/graph${queryString({ view: options.view, limit: options.limit })}`, signal);

export const runJobAction = (id: string, action: JobAction) => apiPost<ActionResponse>(`/api/jobs/${encodeURIComponent(id)}/${action}`);

export const runBulkAction = (action: 'retry' | 'cancel', ids: string[]) => apiPost<BulkResponse>('/api/jobs/bulk', { action, ids });

/** The filter part of the list's parameters (no sort): what "all matching this filter" means. */
function filterOnly(filters: JobFilters): Record<string, string> {
  const { sort: _sort, ...params } = filtersToParams(filters);
  return Object.fromEntries(Object.entries(params).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

export const countJobs = (filters: JobFilters, signal?: AbortSignal) => apiGet<JobCountResponse>(`/api/jobs/count${queryString(filterOnly(filters))}`, signal);

export const runBulkByFilter = (action: 'retry' | 'cancel', filters: JobFilters) => apiPost<BulkResponse>('/api/jobs/bulk', { action, filter: filterOnly(filters) });

export const submitJob = (request: SubmitRequest) => apiPost<SubmitResponse>('/api/jobs', request);

export const actionLabels: Record<JobAction, string> = { retry: 'Retry', cancel: 'Cancel', 'run-now': 'Run now', rerun: 'Re-run with subtree' };
