import type { WorkflowListResponse } from '../../shared/api-types.js';
import { apiGet, queryString } from './api-client.js';

/** A page of workflow runs, newest first; `cursor` from the page before. */
export function listWorkflows(cursor: string | null, limit: number, signal?: AbortSignal): Promise<WorkflowListResponse> {
  return apiGet<WorkflowListResponse>(`/api/workflows${queryString({ cursor, limit })}`, signal);
}
