import type { ControlsResponse, SchedulesResponse, TypeControlsResponse } from '../../shared/api-types.js';
import { apiGet, apiPost } from './api-client.js';

export const getControls = (signal?: AbortSignal) => apiGet<ControlsResponse>('/api/controls', signal);
export const getSchedules = (signal?: AbortSignal) => apiGet<SchedulesResponse>('/api/schedules', signal);
export const setControls = (type: string, change: { paused?: boolean; concurrency?: number | null }) =>
  apiPost<TypeControlsResponse>(`/api/job-types/${encodeURIComponent(type)}/controls`, change);
