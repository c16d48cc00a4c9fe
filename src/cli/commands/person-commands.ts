/** `crier subscribers export-person|forget`: everything held about one address or number, and its erasure. */
import fs from 'node:fs/promises';
import type { Command } from 'commander';
import { call } from '../client.ts';
import { CliError, print } from '../output.ts';
import { api, withJson } from './common.ts';

export function personCommands(subscribers: Command): void {
  subscribers
    .command('export-person')
    .description('everything held about one email address or phone number, as JSON (admins; audited)')
    .argument('<contact>', 'the email address or phone number')
    .option('-o, --out <file>', 'write to a file instead of standard output')
    .action(async (contact: string, o: { out?: string }) => {
      const data = await call((await api()).POST('/api/v1/subscribers/export-person', { body: { contact } }));
      const text = `${JSON.stringify(data, null, 2)}\n`;
      if (o.out) {
        await fs.writeFile(o.out, text, { encoding: 'utf8', mode: 0o600 });
        process.stderr.write(`Wrote ${o.out}.\n`);
      } else process.stdout.write(text);
    });

  withJson(
    subscribers
      .command('forget')
      .description(
        'erase one email address or phone number: the contact goes, the counts stay (admins; audited)',
      )
      .argument('<contact>', 'the email address or phone number')
      .option('--yes', 'erase without asking: this cannot be undone', false),
  ).action(async (contact: string, o: { json: boolean; yes: boolean }) => {
    if (!o.yes) throw new CliError(`Erasing ${contact} cannot be undone; run again with --yes.`, 2);
    const erased = await call((await api()).POST('/api/v1/subscribers/forget', { body: { contact } }));
    print(
      erased,
      o.json,
      () =>
        `Erased ${erased.fingerprint}: ${erased.subscribers} subscription(s), ${erased.deliveries} delivery record(s) (kept as counts), ${erased.feedback} vote(s) (kept as counts, comments removed), ${erased.suppressions} suppression(s).`,
    );
  });
}
