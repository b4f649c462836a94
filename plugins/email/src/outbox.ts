import { appendFile, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The local sink: one JSON object per line in `<dataDirectory>/outbox.jsonl`. Appends of one line
 * are atomic enough for a demo sink on a local disk (one `write` of a few hundred bytes with
 * O_APPEND); several worker processes on one machine may append concurrently.
 */

export const outboxFileName = 'outbox.jsonl';

/** One delivered message as written to the outbox. */
export interface OutboxMessage {
  messageId: string;
  to: string;
  subject: string;
  text: string;
  deliveredAt: string;
}

export function outboxPath(dataDirectory: string): string {
  return path.join(dataDirectory, outboxFileName);
}

export async function appendToOutbox(dataDirectory: string, message: OutboxMessage): Promise<void> {
  await mkdir(dataDirectory, { recursive: true });
  await appendFile(outboxPath(dataDirectory), `${JSON.stringify(message)}\n`, 'utf8');
}

/** Every message in the outbox, oldest first (an absent outbox is empty). */
export async function readOutbox(dataDirectory: string): Promise<OutboxMessage[]> {
  let text: string;
  try {
    text = await readFile(outboxPath(dataDirectory), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as OutboxMessage);
}
