/** Commands that run Crier itself, on the configured database. */
import { parseArgs } from 'node:util';
import { createApp, createLogger } from '../../app.ts';
import type { Config } from '../../config.ts';
import { roles } from '../../domain/permissions.ts';
import { systemActor, systemClock } from '../../services/context.ts';
import { createToken } from '../../services/tokens/tokens.ts';
import { ChangeBus } from '../../store/changes.ts';
import { migrate, openDatabase } from '../../store/db.ts';
import { CliError, print } from '../output.ts';

export async function runServerCommand(config: Config, command: string, args: string[]): Promise<number> {
  switch (command) {
    case 'serve':
      return serve(config);
    case 'migrate': {
      const db = openDatabase(config.databaseUrl);
      try {
        const applied = await migrate(db);
        process.stdout.write(
          applied.length ? `Applied: ${applied.join(', ')}\n` : 'Database is up to date.\n',
        );
      } finally {
        await db.destroy();
      }
      return 0;
    }
    case 'token':
      return tokenCommand(config, args);
    default:
      throw new CliError(`Unknown command "${command}".`, 2);
  }
}

async function serve(config: Config): Promise<number> {
  const log = createLogger(config);
  const app = await createApp(config, { log });
  const address = await app.listen();
  log.info({ address, database: config.databaseUrl.split(':')[0] }, 'Crier is serving');
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  await app.close();
  return 0;
}

async function tokenCommand(config: Config, args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'create') throw new CliError('Usage: crier token create --role R --name N', 2);
  const { values } = parseArgs({
    args: rest,
    options: {
      role: { type: 'string' },
      name: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  if (!values.role || !values.name) throw new CliError('Usage: crier token create --role R --name N', 2);
  if (!(roles as readonly string[]).includes(values.role)) {
    throw new CliError(`Unknown role "${values.role}". Roles: ${roles.join(', ')}.`, 2);
  }
  const db = openDatabase(config.databaseUrl);
  try {
    await migrate(db);
    const ctx = {
      db,
      clock: systemClock,
      log: createLogger({ ...config, logLevel: 'silent' }),
      config,
      changes: new ChangeBus(),
      actor: { ...systemActor, id: 'cli', source: 'cli' },
    };
    const token = await createToken(ctx, { name: values.name, role: values.role as (typeof roles)[number] });
    print(
      token,
      values.json ?? false,
      () => `${token.token}\n(role ${token.role}, id ${token.id}; shown once — store it now)`,
    );
  } finally {
    await db.destroy();
  }
  return 0;
}
