/**
 * Polls `probe` until it returns a truthy value, and returns that value; throws naming `what` when
 * `timeoutMs` passes first. For tests that wait on a worker or another process.
 *
 * @example
 * ```ts
 * const job = await until('the job to succeed', async () => {
 *   const current = await client.get('steam.FetchAppList', 'sentinel');
 *   return current?.state === 'succeeded' && current;
 * });
 * ```
 */
export async function until<T>(what: string, probe: () => Promise<T | undefined | false>, timeoutMs = 15_000, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
