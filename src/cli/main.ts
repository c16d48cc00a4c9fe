/** The `crier` command. */
import { ConfigError, loadConfig } from '../config.ts';
import { runClientCommand } from './commands/client-commands.ts';
import { runDbCommand } from './commands/db-command.ts';
import { runDeliveries, runWorker } from './commands/delivery-commands.ts';
import { runExportCommand } from './commands/export-command.ts';
import { runInit, runPlanCommand } from './commands/plan-commands.ts';
import { runRolesCommand } from './commands/roles-command.ts';
import { runServerCommand } from './commands/server-commands.ts';
import { runUpdateCommand } from './commands/update-commands.ts';
import { runUserCommand } from './commands/user-command.ts';
import { CliError } from './output.ts';

const usage = `Usage: crier <command> [options]

Server:
  serve                       start the HTTP server and the worker
  worker                      run a delivery worker alone (drains on SIGTERM)
  migrate                     apply database migrations and exit
  export --out DIR            write the public status page as static files
  db copy --to URL            copy the database into another, empty one
                              (SQLite to PostgreSQL, or back); stop Crier first
  token create --role R --name N
                              create an API token (printed once)
  user add EMAIL --role R [--name N] [--password-stdin]
                              add a person who signs in at /console; prints a
                              one-time invitation link (24 h) unless a password is given
  user list | set-role EMAIL ROLE | remove EMAIL

Clients of the admin API (CRIER_URL, CRIER_TOKEN):
  component list | add <name> [--description D] [--group G] | set-status <id> <status>
  incident  list [--state unresolved|resolved] | show <id>
            declare <name> --message M [--status S] [--component ID=STATUS ...] [--impact I]
            update <id> --message M [--status S] [--component ID=STATUS ...]
            resolve <id> [--message M]
  maintenance list | schedule <name> --start ISO --end ISO [--component ID ...] [--message M]
              start <id> | complete <id>
  deliveries <update-id> [--no-watch]
                              notifications of one update by channel and state, live
  roles     <incident-id> [--incident-lead WHO] [--comms-lead WHO] [--support-lead WHO]
  update    approve <incident-id> <update-id> [--comment C] [--reason R] [--no-publish]
            reject <incident-id> <update-id> --comment C
                              decide on a draft pending approval (--reason: an admin's
                              last-resort approval, when everyone else wrote it)

The plan (crier.yaml, CRIER_PLAN):
  init [FILE] [--force]       write a commented example plan
  plan check [FILE] [--skip-secrets]
                              check a plan; every problem with its path and line
  plan schema                 print the plan's JSON Schema for editors
  plan diff [FILE]            what applying FILE would change on the server
  plan apply [FILE]           apply FILE on the server (a new version)

Options: --json prints JSON instead of a table.`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(`${usage}\n`);
    return command ? 0 : 2;
  }
  const config = loadConfig();
  if (command === 'export') return runExportCommand(config, rest);
  if (command === 'db') return runDbCommand(config, rest);
  if (command === 'worker') return runWorker(config);
  if (command === 'deliveries') return runDeliveries(config, rest);
  if (command === 'serve' || command === 'migrate' || command === 'token') {
    return runServerCommand(config, command, rest);
  }
  if (command === 'plan') return runPlanCommand(config, rest, config.env);
  if (command === 'init') return runInit(config, rest);
  if (command === 'roles') return runRolesCommand(config, rest);
  if (command === 'user') return runUserCommand(config, rest);
  if (command === 'update') return runUpdateCommand(config, rest);
  if (command === 'component' || command === 'incident' || command === 'maintenance') {
    return runClientCommand(config, command, rest);
  }
  throw new CliError(`Unknown command "${command}". Run \`crier help\`.`, 2);
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliError) {
      process.stderr.write(`crier: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else if (err instanceof ConfigError) {
      process.stderr.write(`crier: ${err.message}\n`);
      process.exitCode = 78;
    } else {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`crier: ${message.split('\n')[0]}\n`);
      process.exitCode = 1;
    }
  },
);
