/**
 * `crier user add|list|set-role|remove`: people who sign in to the console.
 * Run on the server's own database, like `crier token create`, so the first
 * admin can be created before there is any token or user.
 */
import { text } from 'node:stream/consumers';
import { parseArgs } from 'node:util';
import { ZodError } from 'zod';
import { createLogger } from '../../app.ts';
import type { Config } from '../../config.ts';
import { type Role, roles } from '../../domain/permissions.ts';
import { type Ctx, systemActor, systemClock } from '../../services/context.ts';
import { addUser, listUsers, removeUser, setUserRole } from '../../services/users/users.ts';
import { ChangeBus } from '../../store/changes.ts';
import { type Db, migrate, openDatabase } from '../../store/db.ts';
import { CliError, print, table } from '../output.ts';

const usage = `Usage: crier user add EMAIL --role ROLE [--name NAME] [--password-stdin]
       crier user list
       crier user set-role EMAIL ROLE
       crier user remove EMAIL
Roles: ${roles.join(', ')}.`;

function role(value: string | undefined): Role {
  if (value === undefined) throw new CliError(usage, 2);
  if (!(roles as readonly string[]).includes(value)) {
    throw new CliError(`Unknown role "${value}". Roles: ${roles.join(', ')}.`, 2);
  }
  return value as Role;
}

export async function runUserCommand(config: Config, args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      name: { type: 'string' },
      'password-stdin': { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const [sub, first, second] = positionals;
  if (values.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  const json = values.json ?? false;
  // Check the arguments before touching the database or reading stdin.
  if (sub === 'add') {
    if (!first) throw new CliError(usage, 2);
    role(values.role);
  } else if (sub === 'set-role') {
    if (!first) throw new CliError(usage, 2);
    role(second);
  } else if (sub === 'remove') {
    if (!first) throw new CliError(usage, 2);
  } else if (sub !== 'list') {
    throw new CliError(usage, 2);
  }
  const password = values['password-stdin'] ? (await text(process.stdin)).replace(/\r?\n$/, '') : undefined;

  const db = openDatabase(config.databaseUrl);
  try {
    return await run(config, db, sub, first, second, values, password, json);
  } catch (err) {
    if (err instanceof ZodError) throw new CliError(err.issues.map((i) => i.message).join(' '), 2);
    throw err;
  } finally {
    await db.destroy();
  }
}

async function run(
  config: Config,
  db: Db,
  sub: string,
  first: string | undefined,
  second: string | undefined,
  values: { role?: string | undefined; name?: string | undefined },
  password: string | undefined,
  json: boolean,
): Promise<number> {
  {
    await migrate(db);
    const ctx: Ctx = {
      db,
      clock: systemClock,
      log: createLogger({ ...config, logLevel: 'silent' }),
      config,
      changes: new ChangeBus(),
      actor: { ...systemActor, id: 'cli', source: 'cli' },
    };
    switch (sub) {
      case 'add': {
        const user = await addUser(ctx, {
          email: first as string,
          role: role(values.role),
          ...(values.name !== undefined && { name: values.name }),
          ...(password !== undefined && { password }),
        });
        print(user, json, () =>
          user.invitation_url === null
            ? `Added ${user.email} (${user.role}); they can sign in at ${config.publicUrl}/console.`
            : `Added ${user.email} (${user.role}). Send them this link to set a password (valid 24 hours, once):\n${user.invitation_url}`,
        );
        return 0;
      }
      case 'list': {
        const users = await listUsers(db);
        print(users, json, () =>
          table(users as unknown as Record<string, unknown>[], [
            'email',
            'name',
            'role',
            'state',
            'created_at',
          ]),
        );
        return 0;
      }
      case 'set-role': {
        const user = await setUserRole(ctx, first as string, role(second));
        print(user, json, () => `${user.email} is now ${user.role}.`);
        return 0;
      }
      default: {
        const user = await removeUser(ctx, first as string);
        print(user, json, () => `Removed ${user.email}; their sessions have ended.`);
        return 0;
      }
    }
  }
}
