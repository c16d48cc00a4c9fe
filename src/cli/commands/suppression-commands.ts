/** `crier subscribers suppressed|unsuppress`: contacts that bounced, complained or cannot be reached. */
import type { Command } from 'commander';
import { call } from '../client.ts';
import { CliError, print, table } from '../output.ts';
import { api, oneOf, withJson } from './common.ts';

const states = ['suppressed', 'counting', 'all'] as const;

export function suppressionCommands(subscribers: Command): void {
  withJson(
    subscribers
      .command('suppressed')
      .description('list suppressed contacts: hard bounces, complaints, undeliverable numbers')
      .option('-q, --search <text>', 'part of an address or number')
      .option('--state <state>', 'suppressed, counting (soft bounces under the limit) or all', 'suppressed')
      .option('--page <n>', 'the page', '1')
      .option('--per-page <n>', 'rows a page (at most 100)', '50'),
  ).action(async (o: { json: boolean; search?: string; state: string; page: string; perPage: string }) => {
    const query = {
      state: oneOf(o.state, states, 'state'),
      page: Number(o.page),
      per_page: Number(o.perPage),
      ...(o.search && { q: o.search }),
    };
    const list = await call((await api()).GET('/api/v1/suppressions', { params: { query } }));
    print(list, o.json, () =>
      table(list, ['id', 'kind', 'contact', 'reason', 'source', 'soft_bounces', 'suppressed_at']),
    );
  });

  withJson(
    subscribers
      .command('unsuppress')
      .description('clear a suppression (admins): the address or number hears again')
      .argument('<id-or-contact>', 'the suppression id, or the address or number itself'),
  ).action(async (given: string, o: { json: boolean }) => {
    const client = await api();
    let id = given;
    if (given.includes('@') || given.startsWith('+')) {
      const found = await call(
        client.GET('/api/v1/suppressions', { params: { query: { q: given, state: 'all', per_page: 100 } } }),
      );
      const match = found.find((s) => s.contact === given.toLowerCase());
      if (!match) throw new CliError(`${given} is not suppressed.`, 1);
      id = match.id;
    }
    const result = await call(client.DELETE('/api/v1/suppressions/{id}', { params: { path: { id } } }));
    print(result, o.json, () => `Cleared; ${result.restored} subscription(s) hear again.`);
  });
}
