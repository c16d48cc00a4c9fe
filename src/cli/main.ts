/** The `crier` command: runs the command tree (program.ts) and turns what it throws into an exit code. */
import { CommanderError } from 'commander';
import { CliError } from './output.ts';
import { buildProgram } from './program.ts';

/**
 * Commander's own ends: help asked for and the version are answers (0); anything else, help
 * shown because a command was missing included, is a usage error (2).
 */
function commanderExit(err: CommanderError): number {
  return err.exitCode === 0 ? 0 : 2;
}

async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (err) {
    if (err instanceof CommanderError) return commanderExit(err);
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof CliError) {
      process.stderr.write(`crier: ${err.message}\n`);
      process.exitCode = err.exitCode;
    } else if (err instanceof Error && err.name === 'ConfigError') {
      process.stderr.write(`crier: ${err.message}\n`);
      process.exitCode = 78;
    } else {
      const message = err instanceof Error ? err.message : String(err);
      process.stderr.write(`crier: ${message.split('\n')[0]}\n`);
      process.exitCode = 1;
    }
  },
);
