import type { createLogger } from '@jobby/core';

type Logger = ReturnType<typeof createLogger>;

/**
 * SIGTERM and SIGINT (Ctrl-C) stop a long-running command gracefully: `stop` finishes or hands
 * back every held job and closes what the command opened, then the process exits 0 (1 when
 * stopping failed). Signals that come while it stops change nothing: the graceful stop goes on.
 * Only the command line does this: `runWorker` of @jobby/core never touches the process.
 *
 * @example
 * ```ts
 * const running = await runWorker({ registry });
 * stopOnSignals(() => running.stop(), logger);
 * ```
 */
export function stopOnSignals(stop: () => Promise<unknown>, logger: Logger): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'stopping');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'stop failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}
