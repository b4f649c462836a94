import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createJobbyClient, createLogger, createWorker, defineRegistry, type JobbyClient, type Worker } from '@jobby/core';
import { createTestDatabase, type TestDatabase } from '@jobby/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { emailJobs, emailPlugin, readOutbox } from './index.js';
import { until } from '@jobby/core/testing';

const schema = { type: 'object', properties: { address: { type: 'string' }, verificationCode: { type: 'string' } }, required: ['address', 'verificationCode'], additionalProperties: false };
const registry = defineRegistry({
  plugins: [
    {
      name: 'email',
      clientId: 1,
      packageName: '@jobby/email',
      version: '0.0.0-test',
      definition: emailPlugin,
      jobTypes: [{ id: 1000, localId: 0, name: 'SendVerificationEmail', submittable: true, inputSchema: schema }],
    },
  ],
});
const logger = createLogger({ level: 'silent' });

describe('email plugin on real Postgres', () => {
  let database: TestDatabase;
  let client: JobbyClient;
  let dataRoot: string;
  const workers: Worker[] = [];

  beforeAll(async () => {
    database = await createTestDatabase({ backend: 'postgres' });
    client = createJobbyClient({ database, registry });
    dataRoot = await mkdtemp(path.join(os.tmpdir(), 'jobby-email-'));
  });
  afterEach(async () => {
    await Promise.all(workers.splice(0).map((worker) => worker.stop({ graceMs: 100 })));
  });
  afterAll(async () => {
    await database?.close();
    if (dataRoot) await rm(dataRoot, { recursive: true, force: true });
  });

  const startWorker = async (jobsMode: 'none' | 'local' = 'none') => {
    const worker = createWorker({ database, registry, logger, dataDirectory: dataRoot, pollIntervalMs: 100, workersMode: 'local', jobsMode });
    workers.push(worker);
    await worker.start();
    return worker;
  };

  it('delivers a verification email to the outbox file, never the network', async () => {
    await startWorker();
    await client.submit(emailJobs.refs.SendVerificationEmail, 'user-1', { address: 'ada@example.test', verificationCode: '314159' });
    const done = await until('the email job', async () => {
      const job = await client.get(emailJobs.refs.SendVerificationEmail, 'user-1');
      return job?.state === 'succeeded' && job;
    });
    const outbox = await readOutbox(path.join(dataRoot, 'email'));
    expect(outbox).toHaveLength(1);
    expect(outbox[0]).toMatchObject({ to: 'ada@example.test', subject: 'Your verification code', messageId: done.output!.messageId, deliveredAt: done.output!.deliveredAt });
    expect(outbox[0]!.text).toContain('314159');
  });

  it('fails an address that is not one at once, and writes nothing', async () => {
    await startWorker();
    await client.submit(emailJobs.refs.SendVerificationEmail, 'user-2', { address: 'not an address', verificationCode: '1' }, { maxAttempts: 5 });
    const failed = await until('the failed email', async () => {
      const job = await client.get(emailJobs.refs.SendVerificationEmail, 'user-2');
      return job?.state === 'failed' && job;
    });
    expect(failed.attempts).toBe(1);
    expect(failed.lastError?.message).toBe('"not an address" is not an email address');
    expect(await readOutbox(path.join(dataRoot, 'email'))).toHaveLength(1);
  });

  it('refuses a payload without a verification code at submission', async () => {
    await expect(client.submit(emailJobs.refs.SendVerificationEmail, 'user-3', { address: 'a@b.c' } as never)).rejects.toMatchObject({ code: 'PAYLOAD_INVALID' });
  });

  it('submits its sentinel email in local jobs mode', async () => {
    await startWorker('local');
    const done = await until('the sentinel email', async () => {
      const job = await client.get(emailJobs.refs.SendVerificationEmail, 'sentinel');
      return job?.state === 'succeeded' && job;
    });
    expect(done.input).toEqual({ address: 'sentinel@example.test', verificationCode: '000000' });
  });
});
