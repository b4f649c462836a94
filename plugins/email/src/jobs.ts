import { defineJobs, payload } from '@jobby/core';

/** The email plugin's job types (values are local IDs: never renumber or reuse one). */
export enum EmailJob {
  SendVerificationEmail = 0,
}

export interface SendVerificationEmailInput {
  /** The recipient, `local@domain`. */
  address: string;
  /** The code the recipient types back. */
  verificationCode: string;
}

export interface SendVerificationEmailOutput {
  /** Derived from the job id: a retried delivery carries the same id, so the sink can drop duplicates. */
  messageId: string;
  /** ISO timestamp of the delivery. */
  deliveredAt: string;
}

export const emailJobs = defineJobs({
  plugin: 'email',
  enum: EmailJob,
  types: {
    SendVerificationEmail: {
      input: payload<SendVerificationEmailInput>(),
      output: payload<SendVerificationEmailOutput>(),
      submittable: true,
      description: 'Delivers a verification email to the local outbox file (never to the network).',
    },
  },
});
