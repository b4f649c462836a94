/**
 * Job priorities: integers from {@link minPriority} to {@link maxPriority}, higher runs first,
 * default 0. One range for every way in (the client, startup jobs, the CLI, the admin API), checked
 * where a submission is stored.
 *
 * @example
 * ```ts
 * await client.submit(steamJobs.refs.FetchAppList, 'urgent', {}, { priority: maxPriority });
 * ```
 */
export const minPriority = -1_000_000;
export const maxPriority = 1_000_000;

/** True for an integer within the priority range. */
export function isValidPriority(value: unknown): value is number {
  return Number.isInteger(value) && (value as number) >= minPriority && (value as number) <= maxPriority;
}
