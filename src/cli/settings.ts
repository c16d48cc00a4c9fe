import type { Config } from '../config.ts';

/** The configuration, read (and checked) only by a command that runs, never by `--help`. */
export async function loadCliConfig(): Promise<Config> {
  const { loadConfig } = await import('../config.ts');
  return loadConfig();
}
