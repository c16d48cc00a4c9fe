/** What the client commands share: the API client, repeatable options, and checked choices. */
import type { Command } from 'commander';
import { type Api, apiClient } from '../client.ts';
import { CliError } from '../output.ts';
import { loadCliConfig } from '../settings.ts';

/** The admin API at CRIER_URL with CRIER_TOKEN. */
export async function api(): Promise<Api> {
  const config = await loadCliConfig();
  return apiClient({ url: config.clientUrl, token: config.clientToken });
}

/** For options given more than once: `-c a=b -c c=d`. */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

/** The value if it is one of `allowed`; a usage error naming them otherwise. */
export function oneOf<T extends string>(value: string, allowed: readonly T[], what: string): T {
  const found = allowed.find((a) => a === value);
  if (found === undefined)
    throw new CliError(`Unknown ${what} "${value}". Use one of: ${allowed.join(', ')}.`, 2);
  return found;
}

/** `KEY=VALUE` pairs as a map; `what` names the option in the error. */
export function pairs(list: string[] | undefined, what: string): Record<string, string> {
  const map: Record<string, string> = {};
  for (const pair of list ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new CliError(`${what} takes KEY=VALUE, got "${pair}".`, 2);
    map[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return map;
}

/** The `--json` switch every client command has. */
export function withJson(command: Command): Command {
  return command.option('--json', 'print JSON instead of a table', false);
}

/** A table's rows from the API's typed objects. */
export const rows = (value: unknown): Record<string, unknown>[] =>
  (Array.isArray(value) ? value : [value]) as Record<string, unknown>[];
