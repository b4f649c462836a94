/**
 * Limits declared in code (issue 19): `JobRegistry.limit` in a module's `jobs(registry, mode)`.
 * Every worker writes them into the store at start; a value set at run time (`jobby types limit`,
 * `client.setTypeControls`, the admin API) overrides the declared one until it is cleared. See the
 * README's "Flow control".
 */

/** A job type's limits, as `JobRegistry.limit` takes them. Each is optional; at least one is given. */
export interface LimitOptions {
  /** At most this many of the type's jobs run at once across every worker (1–1,000,000). */
  readonly concurrency?: number;
  /** At most `limit` starts (claims) of the type in any window of `intervalMs`, across every worker. */
  readonly rate?: { readonly limit: number; readonly intervalMs: number };
  /**
   * At most `concurrency` of the type's jobs with one group key run at once (1–1,000,000). The key
   * is the job type's `groupKeys` function of `defineJobs`, computed by every submitter.
   */
  readonly group?: { readonly concurrency: number };
}
