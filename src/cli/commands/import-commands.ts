/** `crier import statuspage|cachet`: moving in from another status page, written to the configured database. */
import type { Command } from 'commander';
import { loadCliConfig } from '../settings.ts';

interface ImportOptions {
  dryRun: boolean;
  json: boolean;
}

export function importCommands(program: Command): void {
  const group = program
    .command('import')
    .description(
      'move a page in from Statuspage or Cachet: components, incidents, maintenances, subscribers',
    );

  group
    .command('statuspage')
    .description('import a page through Statuspage’s management API (run it again: it creates nothing twice)')
    .requiredOption('--page-id <id>', 'the Statuspage page id')
    .requiredOption('--api-key <env:NAME>', 'the API key, as env:NAME (the variable that holds it)')
    .option('--api-url <url>', 'the API’s root', 'https://api.statuspage.io/v1')
    .option('--dry-run', 'print what it would create, and write nothing', false)
    .option('--json', 'print JSON', false)
    .action(async (o: ImportOptions & { pageId: string; apiKey: string; apiUrl: string }) => {
      const [{ runImport }, { readStatuspage }, { keyFrom }, config] = await Promise.all([
        import('./import-command.ts'),
        import('../../ingest/moving-in/statuspage.ts'),
        import('../../ingest/moving-in/fetch.ts'),
        loadCliConfig(),
      ]);
      await runImport(
        config,
        async () => readStatuspage({ base: o.apiUrl, pageId: o.pageId, key: keyFrom(o.apiKey, config.env) }),
        o,
      );
    });

  group
    .command('cachet')
    .description('import a page through Cachet’s JSON API (2.x); run again, it creates nothing twice')
    .requiredOption('--url <url>', 'the Cachet site (its API is under /api/v1)')
    .option('--api-key <env:NAME>', 'an API token, as env:NAME (subscribers need one)')
    .option('--dry-run', 'print what it would create, and write nothing', false)
    .option('--json', 'print JSON', false)
    .action(async (o: ImportOptions & { url: string; apiKey?: string }) => {
      const [{ runImport }, { readCachet }, { keyFrom }, config] = await Promise.all([
        import('./import-command.ts'),
        import('../../ingest/moving-in/cachet.ts'),
        import('../../ingest/moving-in/fetch.ts'),
        loadCliConfig(),
      ]);
      await runImport(
        config,
        async () =>
          readCachet({
            base: o.url,
            key: o.apiKey === undefined ? undefined : keyFrom(o.apiKey, config.env),
          }),
        o,
      );
    });
}
