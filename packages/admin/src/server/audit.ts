import type { Context } from 'hono';
import type { AdminActionRecordParams } from '@jobby/core/admin';
import type { AdminContext } from './context.js';

/**
 * The audit trail of admin actions (core's `adminActionRecord`): each change an operator makes
 * through this server is recorded after it succeeded, with who made it. "Who" is the credential
 * (`operator`: the admin token; `open`: the embedded quick start without one), and the name the
 * person gave in the `X-Jobby-Actor` header (the UI sends the name saved beside the token), if any.
 * A failure to record is logged and does not undo or fail the action.
 */

export function actorOf(c: Context, context: Pick<AdminContext, 'token'>): string {
  const role = context.token ? 'operator' : 'open';
  const name = (c.req.header('x-jobby-actor') ?? '').replace(/[^\p{L}\p{N} ._@+-]/gu, '').trim().slice(0, 80);
  return name ? `${role} (${name})` : role;
}

export async function recordAction(c: Context, context: Pick<AdminContext, 'primaryAdmin' | 'logger' | 'token'>, params: Omit<AdminActionRecordParams, 'actor'>): Promise<void> {
  try {
    await context.primaryAdmin.adminActionRecord({ actor: actorOf(c, context), ...params });
  } catch (error) {
    context.logger.error({ err: error, action: params.action }, 'admin: could not record the action in the audit trail');
  }
}
