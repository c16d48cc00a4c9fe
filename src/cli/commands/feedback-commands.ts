/** Feedback on an incident's communication: the team's rating, support tickets, and what customers said. */
import type { Command } from 'commander';
import { call } from '../client.ts';
import { CliError, print, table } from '../output.ts';
import { api, withJson } from './common.ts';

/** A whole number within bounds, for `--rating` and `--tickets`. */
function wholeNumber(value: string, min: number, max: number, what: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < min || n > max)
    throw new CliError(`${what} takes a whole number from ${min} to ${max}, got "${value}".`, 2);
  return n;
}

type Summary = Awaited<ReturnType<typeof summaryOf>>;
async function summaryOf(id: string) {
  return call((await api()).GET('/api/v1/incidents/{id}/feedback', { params: { path: { id } } }));
}

function show(s: Summary, json: boolean): void {
  print(s, json, () => {
    const t = s.team;
    const lines = [
      `Customers: ${s.helpful} found the updates helpful, ${s.not_helpful} did not.`,
      `Team: ${t.ratings} rating(s)${t.average_rating === null ? '' : `, average ${t.average_rating} of 5`}; support tickets: ${t.support_tickets}.`,
    ];
    const updates = s.updates.map((u) => ({
      update: u.update_id,
      helpful: u.helpful,
      not_helpful: u.not_helpful,
      comments: u.comments.length,
    }));
    return `${lines.join('\n')}\n${updates.length ? table(updates, ['update', 'helpful', 'not_helpful', 'comments']) : ''}`;
  });
}

export function feedbackCommands(program: Command): void {
  const feedback = program
    .command('feedback')
    .description(
      "feedback on an incident's communication: the team's rating, support tickets, customers' votes",
    );
  withJson(
    feedback
      .command('give')
      .description("rate an incident's communication (1-5) and/or record its support tickets")
      .argument('<incident>', 'the incident id')
      .option('--rating <n>', 'how well it was communicated: 1 (poorly) to 5 (very well)')
      .option('--comment <text>', 'what went well or should change')
      .option(
        '--tickets <n>',
        'support tickets about it so far (your latest count replaces your earlier one)',
      ),
  ).action(async (id: string, o: { json: boolean; rating?: string; comment?: string; tickets?: string }) => {
    if (o.rating === undefined && o.tickets === undefined)
      throw new CliError('Give --rating, --tickets, or both.', 2);
    const body = {
      ...(o.rating !== undefined && { rating: wholeNumber(o.rating, 1, 5, '--rating') }),
      ...(o.tickets !== undefined && { support_tickets: wholeNumber(o.tickets, 0, 10_000_000, '--tickets') }),
      ...(o.comment !== undefined && { comment: o.comment }),
    };
    const s = await call(
      (await api()).POST('/api/v1/incidents/{id}/feedback', { params: { path: { id } }, body }),
    );
    show(s, o.json);
  });
  withJson(
    feedback
      .command('show')
      .description('what customers and the team said of an incident’s communication')
      .argument('<incident>', 'the incident id'),
  ).action(async (id: string, o: { json: boolean }) => show(await summaryOf(id), o.json));
}
