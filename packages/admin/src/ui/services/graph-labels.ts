import type { JobStateName } from '../../shared/api-types.js';

/** Texts of the workflow graph's nodes. Pure; tested in graph-groups.test.ts. */

/** One mark per state, beside its count in group nodes and in the legend (the colour says it too). */
export const stateMarks: Record<JobStateName, string> = {
  succeeded: '✓',
  running: '●',
  queued: '○',
  waiting: '◌',
  failed: '✗',
  cancelled: '⊘',
};

/**
 * Shortens a text to `max` characters by cutting its middle, so that both ends stay: job keys
 * differ at their end (`catalog-2026-12-02-page-417`), where an ellipsis at the end would hide
 * exactly what tells them apart.
 *
 * @example
 * middleEllipsis('catalog-2026-12-02-page-417', 16) // 'catalog-…page-417'
 */
export function middleEllipsis(text: string, max: number): string {
  const characters = [...text];
  if (characters.length <= max) return text;
  const keep = Math.max(2, max - 1);
  const tail = Math.ceil(keep / 2);
  return `${characters.slice(0, keep - tail).join('')}…${characters.slice(characters.length - tail).join('')}`;
}

/** The order of states in group nodes and the legend: done, in progress, not started, failed. */
export const stateOrder: readonly JobStateName[] = ['succeeded', 'running', 'queued', 'waiting', 'failed', 'cancelled'];

/** `370 ✓ 8 ● 2 ✗`: the counts of a group's members by state. */
export function stateCountsText(counts: Partial<Record<JobStateName, number>>): string {
  return stateOrder
    .filter((state) => counts[state])
    .map((state) => `${counts[state]} ${stateMarks[state]}`)
    .join(' ');
}
