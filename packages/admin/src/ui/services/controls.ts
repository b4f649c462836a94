import type { ControlsResponse, SchedulesResponse, TypeControlsResponse } from '../../shared/api-types.js';
import { apiGet, apiPost } from './api-client.js';

/** What a change of the Controls page sends (null removes a limit; `clearLimits` goes back to the code's). */
export interface ControlsChange {
  paused?: boolean;
  concurrency?: number | null;
  clearLimits?: boolean;
}

export const getControls = (signal?: AbortSignal) => apiGet<ControlsResponse>('/api/controls', signal);
export const getSchedules = (signal?: AbortSignal) => apiGet<SchedulesResponse>('/api/schedules', signal);
export const setControls = (type: string, change: ControlsChange) =>
  apiPost<TypeControlsResponse>(`/api/job-types/${encodeURIComponent(type)}/controls`, change);
