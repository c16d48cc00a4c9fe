/**
 * A forgotten password: the person asks for a link by email, and it arrives
 * from the plan's email channel through the outbox. The answer is the same
 * whether or not the address belongs to someone, and requests are limited
 * per address asked about and per client address, so the form tells no one
 * who has an account and cannot be used to flood an inbox.
 *
 * The link's secret is made by the worker as it sends the mail, not when it
 * is asked for, so no usable secret waits in the outbox. It is the
 * invitation's one-time link (same columns, same page, same spending),
 * valid one hour; setting a password with it ends the person's sessions.
 */
import { randomBytes } from 'node:crypto';
import { CrierError } from '../../domain/errors.ts';
import { enqueueJob, type NoticeMessage } from '../../store/outbox.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { withTransaction } from '../transaction.ts';
import { countFailure, failures } from './sessions.ts';
import { sha256 } from './users.ts';

const resetLifetimeMs = 60 * 60 * 1000;
/** An invitation not yet used keeps its own, longer life when asked for again. */
const invitationLifetimeMs = 24 * 60 * 60 * 1000;
export const resetLimits = { account: 3, address: 20 } as const;

export interface PasswordResetInput {
  email: string;
  /** The client's address, for its limit and the audit log. */
  address: string;
}

/** Asks for a link by email; says nothing of whether the address is a user's. `ctx.actor` is anonymous. */
export async function requestPasswordReset(ctx: Ctx, input: PasswordResetInput): Promise<void> {
  const email = input.email.trim().toLowerCase().slice(0, 254);
  const now = ctx.clock.now();
  const accountKey = `reset-account:${email}`;
  const addressKey = `reset-address:${input.address}`;
  if (
    (await failures(ctx.db, accountKey, now)) >= resetLimits.account ||
    (await failures(ctx.db, addressKey, now)) >= resetLimits.address
  ) {
    throw new CrierError(
      'rate_limited',
      'Too many password links asked for; wait 15 minutes and try again.',
      {
        retry_after_seconds: 900,
      },
    );
  }
  // Every request counts, whether or not the address is someone's: the limit says nothing either.
  await countFailure(ctx.db, accountKey, now);
  await countFailure(ctx.db, addressKey, now);
  const user = await ctx.db.selectFrom('users').select(['id']).where('email', '=', email).executeTakeFirst();
  if (!user) return;
  await withTransaction(ctx, async (tx) => {
    await enqueueJob(tx, {
      kind: 'password.link',
      payload: { user_id: user.id, requested_at: now.toISOString() },
    });
    await audit(tx, { action: 'user.password_link_requested', subjectType: 'user', subjectId: user.id });
  });
}

/**
 * The mail a requested link goes out in, with a new one-time secret (any
 * earlier link of the person's stops working); null when the person was
 * removed meanwhile. Called by the worker as it sends.
 */
export async function mintPasswordLink(
  ctx: Ctx,
  job: { user_id: string },
): Promise<{ to: string; message: NoticeMessage } | null> {
  return withTransaction(ctx, async (tx) => {
    const user = await tx.db
      .selectFrom('users')
      .select(['id', 'email', 'password_hash'])
      .where('id', '=', job.user_id)
      .executeTakeFirst();
    if (!user) return null;
    const secret = randomBytes(32).toString('base64url');
    const now = tx.clock.now();
    const life = user.password_hash === null ? invitationLifetimeMs : resetLifetimeMs;
    await tx.db
      .updateTable('users')
      .set({
        invitation_hash: sha256(secret),
        invitation_expires_at: new Date(now.getTime() + life).toISOString(),
        updated_at: now.toISOString(),
      })
      .where('id', '=', user.id)
      .execute();
    const url = `${tx.config.publicUrl}/console/invitation/${secret}`;
    const hours = life / 3_600_000;
    return {
      to: user.email,
      message: {
        title: 'Set your Crier password',
        text:
          `Someone, probably you, asked to set the password of ${user.email} on Crier. ` +
          `Follow the link within ${hours === 1 ? 'an hour' : `${hours} hours`} to choose one; it works once, ` +
          'and setting a password signs you out everywhere. If it was not you, ignore this mail: nothing changes.',
        url,
      },
    };
  });
}
