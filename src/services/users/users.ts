/**
 * People who sign in: an email, a name and one of the roles of the
 * permission table. An admin adds them; each sets a password through a
 * one-time invitation link valid 24 hours (or is given one directly, for
 * automation). Nobody is created silently.
 */
import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import { type Role, roles } from '../../domain/permissions.ts';
import type { Db } from '../../store/db.ts';
import { newId } from '../../store/ids.ts';
import type { UserRow } from '../../store/schema.ts';
import { audit } from '../audit.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';
import { withTransaction } from '../transaction.ts';
import { viewOf } from '../view-of.ts';
import { hashPassword, maxPasswordLength, minPasswordLength } from './password.ts';

const invitationLifetimeMs = 24 * 60 * 60 * 1000;

const Password = z
  .string()
  .min(minPasswordLength, `A password has at least ${minPasswordLength} characters.`)
  .max(maxPasswordLength);

const Email = z
  .string()
  .trim()
  .toLowerCase()
  .pipe(z.email({ message: 'Give an email address.' }).max(254));

export const AddUserInput = z.strictObject({
  email: Email,
  name: z.string().trim().min(1).max(100).optional(),
  role: z.enum(roles),
  password: Password.optional().describe('Set the password now instead of sending an invitation.'),
});
export type AddUserInput = z.input<typeof AddUserInput>;

export const UserView = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string(),
    role: z.enum(roles),
    state: z.enum(['invited', 'active']).describe('invited: has not set a password yet.'),
    invitation_expires_at: z.string().nullable(),
    created_by: z.string(),
    created_at: z.string(),
  })
  .meta({ id: 'User' });
export type UserView = z.infer<typeof UserView>;

export const AddedUserView = UserView.extend({
  invitation_url: z
    .string()
    .nullable()
    .describe(
      'The one-time link where the person sets a password (24 hours); null when a password was given.',
    ),
}).meta({ id: 'AddedUser' });
export type AddedUserView = z.infer<typeof AddedUserView>;

const userColumns = [
  'id',
  'email',
  'name',
  'role',
  'invitation_expires_at',
  'created_by',
  'created_at',
] as const;

function userView(row: UserRow): UserView {
  return viewOf(UserView, userColumns, row, { state: row.password_hash === null ? 'invited' : 'active' });
}

export function sha256(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** A user by id, or by email when the reference has an @ (as the CLI names people). */
async function findUser(db: Db, ref: string): Promise<UserRow> {
  const byEmail = ref.includes('@');
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where(byEmail ? 'email' : 'id', '=', byEmail ? ref.trim().toLowerCase() : ref)
    .executeTakeFirst();
  if (!row) throw new CrierError('user_not_found', `No user is ${ref}.`, { user: ref });
  return row;
}

export async function addUser(ctx: Ctx, raw: AddUserInput): Promise<AddedUserView> {
  authorize(ctx, 'user.manage');
  const input = AddUserInput.parse(raw);
  // Hashing is slow on purpose; do it before the transaction holds any lock.
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  return withTransaction(ctx, async (tx) => {
    const taken = await tx.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', input.email)
      .executeTakeFirst();
    if (taken) throw new CrierError('user_exists', `${input.email} is already a user.`, { id: taken.id });
    const now = tx.clock.now();
    const secret = passwordHash === null ? randomBytes(32).toString('base64url') : null;
    const row: UserRow = {
      id: newId(),
      email: input.email,
      name: input.name ?? input.email.split('@')[0] ?? input.email,
      role: input.role,
      password_hash: passwordHash,
      invitation_hash: secret === null ? null : sha256(secret),
      invitation_expires_at:
        secret === null ? null : new Date(now.getTime() + invitationLifetimeMs).toISOString(),
      created_by: tx.actor.id,
      created_at: now.toISOString(),
      updated_at: now.toISOString(),
    };
    await tx.db.insertInto('users').values(row).execute();
    const view = userView(row);
    await audit(tx, { action: 'user.add', subjectType: 'user', subjectId: row.id, after: view });
    const invitation_url = secret === null ? null : `${tx.config.publicUrl}/console/invitation/${secret}`;
    return { ...view, invitation_url };
  });
}

export async function listUsers(ctx: Ctx): Promise<UserView[]> {
  authorize(ctx, 'user.manage');
  const rows = await ctx.db.selectFrom('users').selectAll().orderBy('email').execute();
  return rows.map(userView);
}

export async function setUserRole(ctx: Ctx, ref: string, role: Role): Promise<UserView> {
  authorize(ctx, 'user.manage');
  const parsed = z.enum(roles).parse(role);
  return withTransaction(ctx, async (tx) => {
    const row = await findUser(tx.db, ref);
    if (row.role === parsed) return userView(row);
    const updated = { ...row, role: parsed, updated_at: tx.clock.now().toISOString() };
    await tx.db
      .updateTable('users')
      .set({ role: parsed, updated_at: updated.updated_at })
      .where('id', '=', row.id)
      .execute();
    await audit(tx, {
      action: 'user.set_role',
      subjectType: 'user',
      subjectId: row.id,
      before: { role: row.role },
      after: { role: parsed },
    });
    return userView(updated);
  });
}

/** Removes a user and ends every session of theirs; the audit log keeps what they did. */
export async function removeUser(ctx: Ctx, ref: string): Promise<UserView> {
  authorize(ctx, 'user.manage');
  return withTransaction(ctx, async (tx) => {
    const row = await findUser(tx.db, ref);
    await tx.db.deleteFrom('sessions').where('user_id', '=', row.id).execute();
    await tx.db.deleteFrom('users').where('id', '=', row.id).execute();
    const view = userView(row);
    await audit(tx, { action: 'user.remove', subjectType: 'user', subjectId: row.id, before: view });
    return view;
  });
}

/** The person behind a live invitation, or null when the link is unknown, used or expired. */
export async function findInvitation(db: Db, secret: string, now: Date): Promise<UserView | null> {
  if (secret.length < 20 || secret.length > 100) return null;
  const row = await db
    .selectFrom('users')
    .selectAll()
    .where('invitation_hash', '=', sha256(secret))
    .executeTakeFirst();
  if (!row || row.invitation_expires_at === null || Date.parse(row.invitation_expires_at) <= now.getTime())
    return null;
  return userView(row);
}

/**
 * Sets the password of the person an invitation names, and spends it. Not a
 * permissioned verb: holding the link is the permission, once.
 */
export async function acceptInvitation(ctx: Ctx, secret: string, password: string): Promise<UserView> {
  const parsed = Password.parse(password);
  const invited = await findInvitation(ctx.db, secret, ctx.clock.now());
  if (!invited) throw invitationInvalid();
  const passwordHash = await hashPassword(parsed);
  return withTransaction(ctx, async (tx) => {
    const spent = await tx.db
      .updateTable('users')
      .set({
        password_hash: passwordHash,
        invitation_hash: null,
        invitation_expires_at: null,
        updated_at: tx.clock.now().toISOString(),
      })
      .where('id', '=', invited.id)
      .where('invitation_hash', '=', sha256(secret))
      .executeTakeFirst();
    // Two submissions of one link: the second finds it spent.
    if (Number(spent.numUpdatedRows) !== 1) throw invitationInvalid();
    // A new password (a reset) ends every session the old one opened.
    await tx.db.deleteFrom('sessions').where('user_id', '=', invited.id).execute();
    await audit(
      { ...tx, actor: { ...tx.actor, id: `user:${invited.email}` } },
      { action: 'user.accept_invitation', subjectType: 'user', subjectId: invited.id },
    );
    return { ...invited, state: 'active', invitation_expires_at: null };
  });
}

function invitationInvalid(): CrierError {
  return new CrierError(
    'invitation_invalid',
    'This invitation link is unknown, already used or expired; ask an admin for a new one.',
  );
}
