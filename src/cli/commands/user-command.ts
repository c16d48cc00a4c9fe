/**
 * `crier user add|list|set-role|remove`, run: people who sign in to the console.
 * Run on the server's own database, like `crier token create`, so the first
 * admin can be created before there is any token or user.
 */
import { ZodError } from 'zod';
import type { Config } from '../../config.ts';
import type { Role } from '../../domain/permissions.ts';
import { createLogger } from '../../logger.ts';
import { type Ctx, systemActor, systemClock } from '../../services/context.ts';
import { addUser, listUsers, removeUser, setUserRole } from '../../services/users/users.ts';
import { ChangeBus } from '../../store/changes.ts';
import { migrate, openDatabase } from '../../store/db.ts';
import { CliError, print, table } from '../output.ts';

export type UserRequest =
  | { verb: 'add'; email: string; role: Role; name?: string; password?: string }
  | { verb: 'list' }
  | { verb: 'set-role'; email: string; role: Role }
  | { verb: 'remove'; email: string };

export async function runUserCommand(config: Config, request: UserRequest, json: boolean): Promise<void> {
  const db = openDatabase(config.databaseUrl);
  try {
    await migrate(db);
    const ctx: Ctx = {
      db,
      clock: systemClock,
      log: createLogger({ ...config, logLevel: 'silent' }),
      config,
      changes: new ChangeBus(),
      actor: { ...systemActor, id: 'cli', source: 'cli' },
    };
    switch (request.verb) {
      case 'add': {
        const user = await addUser(ctx, {
          email: request.email,
          role: request.role,
          ...(request.name !== undefined && { name: request.name }),
          ...(request.password !== undefined && { password: request.password }),
        });
        print(user, json, () =>
          user.invitation_url === null
            ? `Added ${user.email} (${user.role}); they can sign in at ${config.publicUrl}/console.`
            : `Added ${user.email} (${user.role}). Send them this link to set a password (valid 24 hours, once):\n${user.invitation_url}`,
        );
        return;
      }
      case 'list': {
        const users = await listUsers(ctx);
        print(users, json, () =>
          table(users as unknown as Record<string, unknown>[], [
            'email',
            'name',
            'role',
            'state',
            'created_at',
          ]),
        );
        return;
      }
      case 'set-role': {
        const user = await setUserRole(ctx, request.email, request.role);
        print(user, json, () => `${user.email} is now ${user.role}.`);
        return;
      }
      case 'remove': {
        const user = await removeUser(ctx, request.email);
        print(user, json, () => `Removed ${user.email}; their sessions have ended.`);
        return;
      }
    }
  } catch (err) {
    if (err instanceof ZodError) throw new CliError(err.issues.map((i) => i.message).join(' '), 2);
    throw err;
  } finally {
    await db.destroy();
  }
}
