/**
 * `npx jobby worker` runs the bin under `npm exec` → `sh -c jobby …` → node. A SIGTERM to the npx
 * process ends npm and its shell, but the shell does not pass the signal on: the worker would live
 * on, orphaned (and keep its jobs' leases). So when npm started this process, it watches its parent
 * and stops gracefully, as on SIGTERM, once the parent is gone (the process is then re-parented).
 * Not otherwise: a worker started with `nohup … &` from a shell is meant to outlive it.
 */

/**
 * Starts watching when npm launched this process; returns a function that stops watching.
 *
 * @example
 * ```ts
 * watchParentWhenLaunchedByNpm(() => process.kill(process.pid, 'SIGTERM'));
 * ```
 */
export function watchParentWhenLaunchedByNpm(onOrphaned: () => void, environment: NodeJS.ProcessEnv = process.env, intervalMs = 500): () => void {
  if (environment['npm_command'] === undefined && environment['npm_lifecycle_event'] === undefined) return () => {};
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    onOrphaned();
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
