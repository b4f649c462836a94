import type { BulkResponse, FailureGroupActionRequest, FailureGroupInfo, FailureGroupsResponse } from '../../shared/api-types.js';
import { apiGet, apiPost } from './api-client.js';

export const getFailureGroups = (signal?: AbortSignal) => apiGet<FailureGroupsResponse>('/api/failures', signal);

export const runFailureGroupAction = (action: 'retry' | 'cancel', group: FailureGroupInfo) =>
  apiPost<BulkResponse>('/api/failures/action', { action, type: group.type, state: group.state, code: group.code, message: group.message } satisfies FailureGroupActionRequest);
