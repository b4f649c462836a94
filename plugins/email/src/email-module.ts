import { createHash } from 'node:crypto';
import { NonRetryableError, type JobCreationMode, type JobRegistry, type ModuleContext, type PluginModule, type WorkerCreationMode, type WorkerRegistry } from '@jobby/core';
import { EmailJob, emailJobs } from './jobs.js';
import { appendToOutbox, outboxPath } from './outbox.js';

type EmailJobs = typeof emailJobs;

/** A loose `local@domain` check; the real check is the recipient typing the code back. */
const addressPattern = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** An error that retrying cannot fix; the runtime fails the job at once. */
export class InvalidEmailError extends NonRetryableError {}

/**
 * The email module. Delivers to the local outbox (`<dataDirectory>/outbox.jsonl`) in every mode:
 * this example has no network transport. In `local` jobs mode it submits one verification email
 * keyed `sentinel` (the cross-plugin report of `@jobby/metrics` waits for it).
 */
export class EmailModule implements PluginModule<EmailJobs> {
  static initialize(context: ModuleContext): EmailModule {
    const from = typeof context.config['from'] === 'string' ? context.config['from'] : 'jobby@localhost';
    return new EmailModule(context.dataDirectory, from);
  }

  constructor(
    readonly dataDirectory: string,
    readonly from: string,
  ) {}

  /** Where this module delivers. */
  get outbox(): string {
    return outboxPath(this.dataDirectory);
  }

  workers(registry: WorkerRegistry<EmailJobs>, mode: WorkerCreationMode): void {
    if (mode === 'none') return;
    registry.register(EmailJob.SendVerificationEmail, 'email_verification_sender', async ({ input, job }) => {
      const address = input.address.trim();
      if (!addressPattern.test(address)) throw new InvalidEmailError(`"${input.address}" is not an email address`);
      const messageId = `<${createHash('sha256').update(`${job.type}:${job.id}`).digest('hex').slice(0, 24)}@jobby.local>`;
      const deliveredAt = new Date().toISOString();
      await appendToOutbox(this.dataDirectory, {
        messageId,
        to: address,
        subject: 'Your verification code',
        text: `From: ${this.from}\n\nYour verification code is ${input.verificationCode}.`,
        deliveredAt,
      });
      return { messageId, deliveredAt };
    });
  }

  jobs(registry: JobRegistry<EmailJobs>, mode: JobCreationMode): void {
    if (mode !== 'local') return;
    registry.submit(EmailJob.SendVerificationEmail, 'sentinel', { address: 'sentinel@example.test', verificationCode: '000000' }).maxAttempts(5);
  }
}
