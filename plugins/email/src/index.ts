/**
 * `@jobby/email`: an example jobby plugin. `SendVerificationEmail` delivers to a local outbox file
 * (`<data dir>/email/outbox.jsonl`), never to the network.
 *
 * @example
 * ```ts
 * await client.submit(emailJobs.refs.SendVerificationEmail, `verify-${userId}`, { address, verificationCode });
 * ```
 */
import { definePlugin } from '@jobby/core';
import { EmailModule } from './email-module.js';
import { emailJobs } from './jobs.js';

export { EmailJob, emailJobs, type SendVerificationEmailInput, type SendVerificationEmailOutput } from './jobs.js';
export { EmailModule, InvalidEmailError } from './email-module.js';
export { outboxFileName, outboxPath, readOutbox, type OutboxMessage } from './outbox.js';

/** The plugin; `jobby codegen` finds it through this export. */
export const emailPlugin = definePlugin({ jobs: emailJobs, module: EmailModule });
