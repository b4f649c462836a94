import { jobStateNames, type CountsResponse, type JobStateName, type MetaResponse, type OverviewResponse, type QueueHealthResponse, type ThroughputResponse, type TypeStatsResponse } from '../../shared/api-types.js';
import { apiGet, queryString } from './api-client.js';

export const getMeta = (signal?: AbortSignal) => apiGet<MetaResponse>('/api/meta', signal);
export const getOverview = (signal?: AbortSignal) => apiGet<OverviewResponse>('/api/overview', signal);
export const getCounts = (signal?: AbortSignal) => apiGet<CountsResponse>('/api/counts', signal);
export const getThroughput = (window: '1h' | '6h' | '24h', signal?: AbortSignal) => apiGet<ThroughputResponse>(`/api/throughput${queryString({ window })}`, signal);
export const getQueueHealth = (signal?: AbortSignal) => apiGet<QueueHealthResponse>('/api/queue-health', signal);
export const getTypeStats = (type: string, signal?: AbortSignal) => apiGet<TypeStatsResponse>(`/api/job-types/${encodeURIComponent(type)}/stats`, signal);

/** One row per job type, one column per state: the overview's counts table. */
export interface CountsMatrixRow {
  type: string;
  typeId: number;
  byState: Record<JobStateName, number>;
  total: number;
}

export function countsMatrix(counts: CountsResponse['counts'], typeOrder: readonly string[]): { rows: CountsMatrixRow[]; totals: Record<JobStateName, number> } {
  const zero = () => Object.fromEntries(jobStateNames.map((state) => [state, 0])) as Record<JobStateName, number>;
  const rows = new Map<string, CountsMatrixRow>();
  for (const type of typeOrder) rows.set(type, { type, typeId: 0, byState: zero(), total: 0 });
  const totals = zero();
  for (const count of counts) {
    const row = rows.get(count.type) ?? { type: count.type, typeId: count.typeId, byState: zero(), total: 0 };
    row.typeId = count.typeId;
    row.byState[count.state] += count.count;
    row.total += count.count;
    totals[count.state] += count.count;
    rows.set(count.type, row);
  }
  return { rows: [...rows.values()], totals };
}
