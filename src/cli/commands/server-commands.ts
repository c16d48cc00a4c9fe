/** Commands that run Crier itself, on the configured database. */
import { parseArgs } from 'node:util';
import { createApp, createLogger } from '../../app.ts';
import type { Config } from '../../config.ts';
import { roles } from '../../domain/permissions.ts';
import { serveWhileWaiting } from '../../http/waiting-http.ts';
import { systemActor, systemClock } from '../../services/context.ts';
import { createToken } from '../../services/tokens/tokens.ts';
import { ChangeBus } from '../../store/changes.ts';
import { type Db, migrate, openDatabase } from '../../store/db.ts';
import { DatabaseWaitAborted, waitForDatabase } from '../../store/wait.ts';
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

/**
 * Serves at once: until the database answers (src/store/wait.ts), a stand-in on the same port
 * says the process is alive (/healthz) and why it is not ready (/readyz); the full server then
 * takes the port over.
 */
async function serve(config: Config): Promise<number> {
  const log = createLogger(config);
  const stopping = new AbortController();
  const stopped = new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log.info({ signal }, 'shutting down');
      stopping.abort();
      resolve();
    };
    process.once('SIGTERM', () => stop('SIGTERM'));
    process.once('SIGINT', () => stop('SIGINT'));
  });
  let reason = 'connecting';
  const waiting = await serveWhileWaiting({ host: config.host, port: config.port, reason: () => reason });
  let db: Db;
  try {
    db = await waitForDatabase(config.databaseUrl, {
      log,
      signal: stopping.signal,
      onWaiting: (why) => {
        reason = why;
      },
      open: { log },
    });
  } catch (err) {
    await waiting.close();
    if (err instanceof DatabaseWaitAborted) return 0;
    throw err;
  }
  let app: Awaited<ReturnType<typeof createApp>>;
  let address: string;
  try {
    app = await createApp({ ...config, port: waiting.port }, { log, db, ownsDb: true });
    address = await app.listen({ reusePort: true });
  } finally {
    await waiting.close();
  }
  log.info({ address, database: config.databaseUrl.split(':')[0] }, 'Crier is serving');
  await stopped;
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
