/**
 * Sign-in and sessions (docs/adr/0012-people-and-sessions.md). A session is
 * a row in the database, so any node can serve it; the cookie holds a
 * random 256-bit secret whose SHA-256 is the row's key. Sessions end after
 * 12 hours without use or 7 days after sign-in, whichever comes first.
 *
 * Failed sign-ins are counted per account and per address in a fixed
 * 15-minute window, in the database so the limit holds across nodes; a
 * limited request is refused before any password is hashed. An unknown
 * email and a wrong password get the same answer, after the same work.
 */
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { CrierError } from '../../domain/errors.ts';
import type { Role } from '../../domain/permissions.ts';
import type { Db } from '../../store/db.ts';
import { audit } from '../audit.ts';
import type { Actor, Ctx } from '../context.ts';
import { withTransaction } from '../transaction.ts';
import { verifyPassword } from './password.ts';
import { sha256 } from './users.ts';

export const sessionIdleMs = 12 * 60 * 60 * 1000;
export const sessionLifetimeMs = 7 * 24 * 60 * 60 * 1000;
const failureWindowMs = 15 * 60 * 1000;
/** Failed sign-ins allowed per window: for one account, and from one address. */
export const signInLimits = { account: 10, address: 50 } as const;

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  role: Role;
}

/** The actor a session acts as: the person, named by email in the audit log. */
export function sessionActor(user: SessionUser, source: string, requestId: string): Actor {
  return { id: `user:${user.email}`, role: user.role, source, requestId, userId: user.id };
}

/** Attempts counted under `key` in the current 15-minute window. */
export async function failures(db: Db, key: string, now: Date): Promise<number> {
  const row = await db.selectFrom('sign_in_failures').selectAll().where('key', '=', key).executeTakeFirst();
  if (!row || Date.parse(row.window_start) <= now.getTime() - failureWindowMs) return 0;
  return row.count;
}

/** Counts one attempt under `key` (sign-in failures, password link requests). */
export async function countFailure(db: Db, key: string, now: Date): Promise<void> {
  const at = now.toISOString();
  const cutoff = new Date(now.getTime() - failureWindowMs).toISOString();
  // One statement, so concurrent failures all count; a stale window starts over.
  await db
    .insertInto('sign_in_failures')
    .values({ key, window_start: at, count: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql`case when sign_in_failures.window_start <= ${cutoff} then 1 else sign_in_failures.count + 1 end`,
        window_start: sql`case when sign_in_failures.window_start <= ${cutoff} then ${at} else sign_in_failures.window_start end`,
      }),
    )
    .execute();
}

export interface SignInInput {
  email: string;
  password: string;
  /** The client's address, for the per-address limit and the audit log. */
  address: string;
}

export interface SignedIn {
  /** The cookie's value; shown once, stored only as its hash. */
  secret: string;
  user: SessionUser;
  expiresAt: string;
}

/** Checks a password and opens a session. `ctx.actor` is the anonymous caller. */
export async function signIn(ctx: Ctx, input: SignInInput): Promise<SignedIn> {
  const email = input.email.trim().toLowerCase().slice(0, 254);
  const now = ctx.clock.now();
  const accountKey = `account:${email}`;
  const addressKey = `address:${input.address}`;
  if (
    (await failures(ctx.db, accountKey, now)) >= signInLimits.account ||
    (await failures(ctx.db, addressKey, now)) >= signInLimits.address
  ) {
    throw new CrierError('rate_limited', 'Too many failed sign-ins; wait 15 minutes and try again.', {
      retry_after_seconds: failureWindowMs / 1000,
    });
  }
  const row = await ctx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  const ok = await verifyPassword(input.password.slice(0, 1024), row?.password_hash ?? null);
  if (!row || !ok) {
    await countFailure(ctx.db, accountKey, now);
    await countFailure(ctx.db, addressKey, now);
    throw new CrierError('sign_in_failed', 'The email or the password is wrong.');
  }
  const user: SessionUser = { id: row.id, email: row.email, name: row.name, role: row.role };
  return openSession(ctx, user, input.address, async (tx) => {
    await tx.db.deleteFrom('sign_in_failures').where('key', '=', accountKey).execute();
  });
}

/** Opens a session for a person already proven to be `user`, in one transaction with its audit entry. */
async function openSession(
  ctx: Ctx,
  user: SessionUser,
  address: string,
  also: (tx: Ctx) => Promise<void> = async () => {},
  method = 'password',
): Promise<SignedIn> {
  const now = ctx.clock.now();
  const secret = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + sessionLifetimeMs).toISOString();
  await withTransaction(
    { ...ctx, actor: sessionActor(user, address, ctx.actor.requestId ?? '') },
    async (tx) => {
      await also(tx);
      await tx.db
        .insertInto('sessions')
        .values({
          hash: sha256(secret),
          user_id: user.id,
          created_at: now.toISOString(),
          last_seen_at: now.toISOString(),
          expires_at: expiresAt,
          address,
        })
        .execute();
      await audit(tx, { action: 'user.sign_in', subjectType: 'user', subjectId: user.id, after: { method } });
    },
  );
  return { secret, user, expiresAt };
}

/**
 * Signs in a person an identity provider vouched for (single sign-on). They
 * must already be a user — an admin invites them; nobody is created here.
 * A role the provider's claims map to replaces the stored one (recorded).
 */
export async function signInWithIdentity(
  ctx: Ctx,
  input: { email: string; role: Role | null; address: string },
): Promise<SignedIn> {
  const email = input.email.trim().toLowerCase();
  const row = await ctx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst();
  if (!row) {
    throw new CrierError(
      'sign_in_failed',
      `${email} is not a user of this Crier; ask an admin to add you (crier user add).`,
    );
  }
  const role = input.role ?? row.role;
  const user: SessionUser = { id: row.id, email: row.email, name: row.name, role };
  return openSession(
    ctx,
    user,
    input.address,
    async (tx) => {
      if (role === row.role) return;
      await tx.db
        .updateTable('users')
        .set({ role, updated_at: tx.clock.now().toISOString() })
        .where('id', '=', row.id)
        .execute();
      await audit(tx, {
        action: 'user.set_role',
        subjectType: 'user',
        subjectId: row.id,
        before: { role: row.role },
        after: { role, from: 'single sign-on' },
      });
    },
    'oidc',
  );
}

/** The person a session cookie names, or null when it is unknown or expired (an expired one is deleted). */
export async function resolveSession(db: Db, secret: string, now: Date): Promise<SessionUser | null> {
  if (secret.length < 40 || secret.length > 60) return null;
  const hash = sha256(secret);
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .select([
      'sessions.last_seen_at',
      'sessions.expires_at',
      'users.id',
      'users.email',
      'users.name',
      'users.role',
    ])
    .where('sessions.hash', '=', hash)
    .executeTakeFirst();
  if (!row) return null;
  const t = now.getTime();
  const lastSeen = Date.parse(row.last_seen_at);
  if (t >= Date.parse(row.expires_at) || t - lastSeen >= sessionIdleMs) {
    await db.deleteFrom('sessions').where('hash', '=', hash).execute();
    return null;
  }
  // Record use at most once a minute, so reads do not turn into writes.
  if (t - lastSeen > 60_000) {
    await db
      .updateTable('sessions')
      .set({ last_seen_at: now.toISOString() })
      .where('hash', '=', hash)
      .execute();
  }
  return { id: row.id, email: row.email, name: row.name, role: row.role };
}

/** Ends the session this cookie holds (signing out twice is harmless). */
export async function signOut(ctx: Ctx, secret: string): Promise<void> {
  await withTransaction(ctx, async (tx) => {
    const gone = await tx.db.deleteFrom('sessions').where('hash', '=', sha256(secret)).executeTakeFirst();
    if (Number(gone.numDeletedRows) > 0 && tx.actor.userId)
      await audit(tx, { action: 'user.sign_out', subjectType: 'user', subjectId: tx.actor.userId });
  });
}

/** Ends every session of the signed-in person, on every device. */
export async function signOutEverywhere(ctx: Ctx): Promise<{ ended: number }> {
  const userId = ctx.actor.userId;
  if (!userId)
    throw new CrierError('forbidden', 'Only a signed-in person has sessions to end; API tokens do not.');
  return withTransaction(ctx, async (tx) => {
    const gone = await tx.db.deleteFrom('sessions').where('user_id', '=', userId).executeTakeFirst();
    const ended = Number(gone.numDeletedRows);
    await audit(tx, {
      action: 'user.sign_out_everywhere',
      subjectType: 'user',
      subjectId: userId,
      after: { ended },
    });
    return { ended };
  });
}
