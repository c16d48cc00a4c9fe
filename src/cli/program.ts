/**
 * The `crier` command tree (commander). Each command's module declares its commands and
 * imports what its action needs only when it runs, so `--help`, `--version` and shell
 * completion answer at once and touch nothing: no configuration read, no database opened,
 * no port bound, no request sent (test/cli/help.test.ts walks the whole tree).
 */
import { readFileSync } from 'node:fs';
import tab from '@bomb.sh/tab/commander';
import { Command } from 'commander';
import { z } from 'zod';
import { clientCommands } from './commands/client-commands.ts';
import { deliveryCommands } from './commands/delivery-commands.ts';
import { drillCommands } from './commands/drill-commands.ts';
import { feedbackCommands } from './commands/feedback-commands.ts';
import { importCommands } from './commands/import-commands.ts';
import { ingestCommands } from './commands/ingest-commands.ts';
import { planCommands } from './commands/plan-commands.ts';
import { reviewCommands } from './commands/review-commands.ts';
import { serverCommands, userCommands } from './commands/server-commands.ts';
import { subscriberCommands } from './commands/subscriber-commands.ts';
import { updateCommands } from './commands/update-commands.ts';

const { version } = z
  .object({ version: z.string() })
  .parse(JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')));

export function buildProgram(): Command {
  const program = new Command('crier')
    .description('Customer communication for service-impacting events: status page, notifications, plan.')
    .version(version, '-V, --version', 'print the version')
    .helpCommand('help [command]', 'show help for a command')
    .showSuggestionAfterError()
    // Set before the commands are added, so that every one of them inherits it: commander
    // throws instead of exiting, and main.ts turns that into the documented exit codes.
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`crier: ${text.replace(/^error: /, '')}`) })
    .addHelpText(
      'after',
      `
Client commands talk to a running Crier at CRIER_URL (default http://localhost:8080) with
the API token in CRIER_TOKEN. Where a command takes a FILE, "-" reads it from standard input.
Tables by default, --json for JSON. Exit codes: 0 done, 1 refused or failed, 2 usage error,
78 bad configuration.`,
    );
  for (const add of [
    serverCommands,
    userCommands,
    planCommands,
    clientCommands,
    updateCommands,
    subscriberCommands,
    deliveryCommands,
    ingestCommands,
    drillCommands,
    importCommands,
    feedbackCommands,
    reviewCommands,
  ]) {
    add(program);
  }
  // Shell completion: `crier completion bash|zsh` prints a script that asks `crier complete -- …`.
  tab(program, { completionCommandName: 'completion' });
  return program;
}
