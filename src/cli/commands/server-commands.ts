/**
 * Commands that run Crier itself on the configured database: serve, worker, migrate,
 * export, db copy, backup, restore, token create. What each needs is imported when it runs.
 */
import { Argument, type Command, Option } from 'commander';
import { type Role, roles } from '../../domain/permissions.ts';
import { readStdin } from '../input.ts';
import { print } from '../output.ts';
import { loadCliConfig } from '../settings.ts';
import type { UserRequest } from './user-command.ts';

export function serverCommands(program: Command): void {
  program
    .command('serve')
    .description('start the HTTP server and, unless --no-worker, the delivery worker')
    .option('--no-worker', 'serve HTTP only (workers run as `crier worker`)')
    .action(async (opts: { worker: boolean }) => {
      const { serve } = await import('./serve.ts');
      const base = await loadCliConfig();
      await serve(opts.worker ? base : { ...base, worker: false });
    });

  program
    .command('worker')
    .description('run a delivery worker alone (drains on SIGTERM)')
    .action(async () => {
      const { runWorker } = await import('./worker-command.ts');
      await runWorker(await loadCliConfig());
    });

  program
    .command('migrate')
    .description('apply database migrations and exit')
    .action(async () => {
      const [{ migrate, openDatabase }, config] = await Promise.all([
        import('../../store/db.ts'),
        loadCliConfig(),
      ]);
      const db = openDatabase(config.databaseUrl);
      try {
        const applied = await migrate(db);
        process.stdout.write(
          applied.length ? `Applied: ${applied.join(', ')}\n` : 'Database is up to date.\n',
        );
      } finally {
        await db.destroy();
      }
    });

  program
    .command('export')
    .description('write the public status page as static files')
    .requiredOption('--out <dir>', 'the folder to write into')
    .action(async (opts: { out: string }) => {
      const { runExport } = await import('./export-command.ts');
      await runExport(await loadCliConfig(), opts.out);
    });

  program
    .command('db')
    .description('database tools')
    .command('copy')
    .description(
      'copy the database into another, empty one (SQLite to PostgreSQL, or back); stop Crier first',
    )
    .requiredOption('--to <url>', 'the target: sqlite:<file> or postgres://…')
    .action(async (opts: { to: string }) => {
      const { runDbCopy } = await import('./db-command.ts');
      await runDbCopy(await loadCliConfig(), opts.to);
    });

  program
    .command('backup')
    .description('write a backup of the whole database while Crier runs (docs/operations.md)')
    .requiredOption('--out <file>', 'the file to write (gzip’d JSON lines)')
    .addOption(
      new Option('--format <format>', 'portable (restores into either kind) or sqlite (a copy of the file)')
        .choices(['portable', 'sqlite'])
        .default('portable'),
    )
    .action(async (opts: { out: string; format: 'portable' | 'sqlite' }) => {
      const { runBackup } = await import('./backup-command.ts');
      await runBackup(await loadCliConfig(), opts.out, opts.format);
    });

  program
    .command('restore')
    .description('restore a backup into the configured database, which must be empty')
    .argument('<file>', 'a file written by `crier backup` (- reads standard input)')
    .action(async (file: string) => {
      const { runRestore } = await import('./backup-command.ts');
      await runRestore(await loadCliConfig(), file);
    });

  program
    .command('token')
    .description('API tokens')
    .command('create')
    .description('create an API token (printed once)')
    .addOption(new Option('--role <role>', 'what it may do').choices(roles).makeOptionMandatory())
    .requiredOption('--name <name>', 'who or what holds it')
    .option('--json', 'print JSON', false)
    .action(async (opts: { role: string; name: string; json: boolean }) => {
      const { createTokenDirect } = await import('./token-command.ts');
      const token = await createTokenDirect(await loadCliConfig(), opts.name, opts.role);
      print(
        token,
        opts.json,
        () => `${token.token}\n(role ${token.role}, id ${token.id}; shown once — store it now)`,
      );
    });
}

/** `crier user …`: people who sign in to the console, written straight into the database. */
export function userCommands(program: Command): void {
  const user = program.command('user').description('people who sign in to the console');
  const run = async (request: UserRequest, json: boolean) => {
    const { runUserCommand } = await import('./user-command.ts');
    await runUserCommand(await loadCliConfig(), request, json);
  };
  const roleArgument = new Argument('<role>', 'what they may do').choices(roles);
  user
    .command('add')
    .description('add a person; prints a one-time invitation link (24 h) unless a password is given')
    .argument('<email>', 'how they sign in')
    .addOption(new Option('--role <role>', 'what they may do').choices(roles).makeOptionMandatory())
    .option('--name <name>', 'their name')
    .option('--password-stdin', 'read their password from standard input instead of inviting them', false)
    .option('--json', 'print JSON', false)
    .action(
      async (email: string, o: { role: Role; name?: string; passwordStdin: boolean; json: boolean }) => {
        const password = o.passwordStdin ? (await readStdin()).replace(/\r?\n$/, '') : undefined;
        await run(
          {
            verb: 'add',
            email,
            role: o.role,
            ...(o.name !== undefined && { name: o.name }),
            ...(password !== undefined && { password }),
          },
          o.json,
        );
      },
    );
  user
    .command('list')
    .description('list the people who sign in')
    .option('--json', 'print JSON', false)
    .action(async (o: { json: boolean }) => run({ verb: 'list' }, o.json));
  user
    .command('set-role')
    .description("change a person's role")
    .argument('<email>')
    .addArgument(roleArgument)
    .option('--json', 'print JSON', false)
    .action(async (email: string, role: Role, o: { json: boolean }) =>
      run({ verb: 'set-role', email, role }, o.json),
    );
  user
    .command('remove')
    .description('remove a person and end their sessions')
    .argument('<email>')
    .option('--json', 'print JSON', false)
    .action(async (email: string, o: { json: boolean }) => run({ verb: 'remove', email }, o.json));
}
