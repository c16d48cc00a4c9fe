/** The communication review of an incident, for a post-incident document or a script. */
import type { Command } from 'commander';
import { call } from '../client.ts';
import { CliError } from '../output.ts';
import { api, oneOf } from './common.ts';

export function reviewCommands(program: Command): void {
  program
    .command('review')
    .description(
      "an incident's communication review: every message with who wrote and approved it, the scores, deliveries per channel, unsubscribes, and the charts' figures",
    )
    .argument('<incident-id>', 'the incident (or drill) id')
    .option('--format <format>', 'md (Markdown) or json', 'md')
    .action(async (id: string, o: { format: string }) => {
      const format = oneOf(o.format, ['md', 'json'] as const, 'format');
      const client = await api();
      const params = { params: { path: { id }, query: { format } } };
      if (format === 'json') {
        const review = await call(client.GET('/api/v1/incidents/{id}/review', params));
        process.stdout.write(`${JSON.stringify(review, null, 2)}\n`);
        return;
      }
      const text = await call(
        client.GET('/api/v1/incidents/{id}/review', {
          ...params,
          headers: { accept: 'text/markdown' },
          parseAs: 'text',
        }),
      );
      if (typeof text !== 'string') throw new CliError('Crier answered the review in an unexpected form.');
      process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
    });
}
