/** `crier subscribers list|add|import|export|page-link`: who hears what, from a terminal. */
import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { call, type Schemas } from '../client.ts';
import { readStdin, STDIN } from '../input.ts';
import { CliError, print, table } from '../output.ts';
import { api, collect, withJson } from './common.ts';
import { pageLinkCommands } from './page-link-commands.ts';
import { personCommands } from './person-commands.ts';
import { suppressionCommands } from './suppression-commands.ts';

interface Json {
  json: boolean;
}

const contacts = ['email', 'phone', 'webhook', 'slack', 'teams', 'discord'] as const;

interface AddOptions extends Json {
  email?: string;
  phone?: string;
  webhook?: string;
  slack?: string;
  teams?: string;
  discord?: string;
  audience: string;
  component?: string[];
  locale?: string;
  confirm: boolean;
}

/** Rows with one `contact` column, whichever field holds it (email, phone_number, endpoint). */
const withContact = (list: Schemas['Subscriber'][]) =>
  list.map((s) => ({ ...s, contact: s.email ?? s.phone_number ?? s.endpoint }));

async function readCsv(file: string): Promise<string> {
  if (file === STDIN) return readStdin();
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new CliError(`Cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : String(err)}.`, 2);
  }
}

export function subscriberCommands(program: Command): void {
  const subscribers = program.command('subscribers').description('subscribers and their contacts');

  withJson(
    subscribers
      .command('list')
      .description('list and search subscribers')
      .option('-q, --search <text>', 'part of a contact')
      .option('--state <state>', 'pending, confirmed, unsubscribed or disabled')
      .option('--kind <kind>', 'email, sms, webhook, slack, teams, discord or push')
      .option('--audience <name>', 'one audience')
      .option('--component <id>', 'those who hear about this component')
      .option('--page <n>', 'the page', '1')
      .option('--per-page <n>', 'rows a page (at most 100)', '50'),
  ).action(
    async (
      o: Json & {
        search?: string;
        state?: string;
        kind?: string;
        audience?: string;
        component?: string;
        page: string;
        perPage: string;
      },
    ) => {
      const query = {
        page: Number(o.page),
        per_page: Number(o.perPage),
        ...(o.search && { q: o.search }),
        ...(o.audience && { audience: o.audience }),
        ...(o.component && { component_id: o.component }),
        ...(o.state && { state: o.state }),
        ...(o.kind && { kind: o.kind }),
      } as Record<string, string | number>;
      const answer = await (await api()).GET('/api/v1/subscribers', { params: { query } });
      const list = await call(Promise.resolve(answer));
      const total = answer.response.headers.get('x-total-count');
      print(list, o.json, () => {
        const shown = table(withContact(list), ['id', 'kind', 'contact', 'audience', 'state', 'created_at']);
        return total === null ? shown : `${shown}\n(${list.length} of ${total}; --page for more)`;
      });
    },
  );

  let add = subscribers
    .command('add')
    .description('add a subscriber: one of --email, --phone, --webhook, --slack, --teams, --discord');
  for (const kind of contacts)
    add = add.option(`--${kind} <${kind === 'email' || kind === 'phone' ? kind : 'url'}>`);
  withJson(
    add
      .option('--audience <name>', 'the audience they hear', 'public')
      .option('-c, --component <id>', 'only this component (repeat; default all)', collect)
      .option('--locale <tag>', 'their language, as a BCP 47 tag')
      .option('--confirm', 'ask them to confirm first, as the public form does', false),
  ).action(async (o: AddOptions) => {
    const given = contacts.filter((k) => o[k] !== undefined);
    if (given.length !== 1) {
      throw new CliError('Give exactly one of --email, --phone, --webhook, --slack, --teams, --discord.', 2);
    }
    const created = await call(
      (await api()).POST('/api/v1/subscribers', {
        body: {
          ...Object.fromEntries(given.map((k) => [k, o[k]])),
          audience: o.audience,
          confirm: o.confirm,
          ...(o.component && { component_ids: o.component }),
          ...(o.locale && { locale: o.locale }),
        },
      }),
    );
    print(created, o.json, () =>
      table(withContact([created]), ['id', 'kind', 'contact', 'audience', 'state']),
    );
  });

  withJson(
    subscribers
      .command('import')
      .description(
        'import subscribers from CSV (header: email, phone, voice, webhook, slack, teams, discord, component_ids, locale)',
      )
      .argument('<file>', 'the CSV file; - reads standard input')
      .option('--audience <name>', 'the audience they join', 'public')
      .option('--confirm', 'ask each to confirm first (double opt-in)', false),
  ).action(async (file: string, o: Json & { audience: string; confirm: boolean }) => {
    const csv = await readCsv(file);
    const result = await call(
      (await api()).POST('/api/v1/subscribers/import', {
        params: { query: { audience: o.audience, confirm: o.confirm ? 'true' : 'false' } },
        body: csv,
        bodySerializer: (body: string) => body,
        headers: { 'content-type': 'text/csv' },
      }),
    );
    print(result, o.json, () =>
      [
        `${result.rows} rows: ${result.imported} imported, ${result.unchanged} unchanged, ${result.invalid} invalid`,
        ...result.errors.map((e) => `  line ${e.line}: ${e.message}`),
      ].join('\n'),
    );
    if (result.invalid > 0) process.exitCode = 1;
  });

  subscribers
    .command('export')
    .description('export subscribers as CSV (the import reads it back)')
    .option('--audience <name>', 'one audience')
    .option('-o, --out <file>', 'write to a file instead of standard output')
    .action(async (o: { audience?: string; out?: string }) => {
      const csv = await call(
        (await api()).GET('/api/v1/subscribers/export', {
          params: { query: { ...(o.audience && { audience: o.audience }) } },
          parseAs: 'text',
        }),
      );
      if (o.out) {
        await fs.writeFile(o.out, csv, 'utf8');
        process.stderr.write(`Wrote ${o.out}.\n`);
      } else process.stdout.write(csv);
    });

  suppressionCommands(subscribers);
  personCommands(subscribers);
  pageLinkCommands(subscribers);
}
