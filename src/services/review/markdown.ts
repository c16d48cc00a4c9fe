/**
 * The review as Markdown, for a post-incident document: the scores, every
 * message quoted, deliveries per channel, unsubscribes, helpfulness with
 * the customers' comments, and each chart's
 * figures as a table (the SVG itself is in the JSON, and at
 * `/incidents/:id/review/charts/:chart.svg`). Every piece of text that
 * people or the plan wrote is escaped, so it reads as text and never as
 * markup or HTML.
 */
import { scoreRows } from '../../domain/scores.ts';
import type { IncidentReview } from './review.ts';

const entities: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Text safe inside a line of Markdown: HTML's three as entities, the characters that mark up anywhere behind a backslash. */
function escapeInline(text: string): string {
  return text.replace(/[&<>]/g, (c) => entities[c] ?? c).replace(/[\\`*_[\]|~]/g, '\\$&');
}

/** Text safe as lines of Markdown: inline escaping, and what marks up at a line's start (a heading, a list) escaped there. */
function escapeMarkdown(text: string): string {
  return escapeInline(text)
    .replace(/^(\s*)([#+=-])/gm, '$1\\$2')
    .replace(/^(\s*\d+)([.)])/gm, '$1\\$2');
}

function cell(value: string | number | boolean | null): string {
  return value === null ? '-' : escapeInline(String(value).replace(/\r?\n/g, ' '));
}

function table(
  columns: readonly string[],
  rows: readonly (readonly (string | number | boolean | null)[])[],
): string[] {
  return [
    `| ${columns.map(cell).join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(cell).join(' | ')} |`),
  ];
}

const who = (list: readonly { actor: string; at: string }[]) =>
  list.map((d) => `${escapeMarkdown(d.actor)} at ${escapeMarkdown(d.at)}`).join(', ');

/** Customers' votes per update with their comments, quoted and escaped; the team's ratings and tickets. */
function helpfulness(review: IncidentReview): string[] {
  const f = review.feedback;
  const lines = ['## Was it helpful?', ''];
  const votes = f.helpful + f.not_helpful;
  lines.push(
    votes === 0 ? 'No customer voted.' : `${f.helpful} of ${votes} customer votes said the updates helped.`,
    '',
  );
  if (votes > 0) {
    const when = new Map(review.messages.map((m) => [m.id, m.published_at ?? m.created_at]));
    lines.push(
      ...table(
        ['update', 'helpful', 'not helpful'],
        f.updates.map((u) => [when.get(u.update_id) ?? u.update_id, u.helpful, u.not_helpful]),
      ),
      '',
    );
  }
  for (const u of f.updates) {
    for (const c of u.comments) {
      lines.push(
        `${c.helpful ? 'Helpful' : 'Not helpful'}, ${escapeMarkdown(c.at)}:`,
        '',
        ...c.comment.split(/\r?\n/).map((line) => `> ${escapeMarkdown(line)}`),
        '',
      );
    }
  }
  const team = f.team;
  lines.push(
    team.ratings === 0
      ? 'The team gave no rating.'
      : `The team rated the communication ${team.average_rating?.toFixed(1)} of 5 (${team.ratings} ratings).`,
    `Support tickets about the incident: ${team.support_tickets}.`,
  );
  return lines;
}

export function reviewMarkdown(review: IncidentReview): string {
  const i = review.incident;
  const lines: string[] = [
    `# Communication review: ${escapeMarkdown(i.name)}`,
    '',
    `${i.drill ? `Drill at speed ${review.scores.speed}` : 'Incident'} ${escapeMarkdown(i.incident_id)}, ` +
      `${escapeMarkdown(i.severity ?? 'no severity')}, ${escapeMarkdown(i.status)}; declared ${escapeMarkdown(i.declared_at)}` +
      `${i.resolved_at ? `, resolved ${escapeMarkdown(i.resolved_at)}` : ''}; plan version ${i.plan_version ?? '-'}.`,
    '',
    '## Scores',
    '',
    ...table(
      ['measure', 'value', 'target'],
      scoreRows(review.scores).map((r) => [r.measure, r.value, r.target]),
    ),
    '',
    '## Messages',
    '',
  ];
  if (review.messages.length === 0) lines.push('None.', '');
  for (const m of review.messages) {
    lines.push(
      `### ${escapeMarkdown(m.published_at ?? m.created_at)}: ${escapeMarkdown(m.audience)}, ${escapeMarkdown(m.status)} (${escapeMarkdown(m.state)})`,
      '',
      `Written by ${escapeMarkdown(m.written_by)}` +
        (m.approved_by.length > 0 ? `; approved by ${who(m.approved_by)}` : '') +
        (m.published_unapproved ? '; published unapproved when the approval timed out' : '') +
        (m.rejected_by.length > 0 ? `; rejected by ${who(m.rejected_by)}` : '') +
        (m.lint_override ? '; published despite lint' : '') +
        (m.corrected_by.length > 0 ? `; corrected by ${who(m.corrected_by)}` : '') +
        '.',
      '',
      ...m.body.split(/\r?\n/).map((line) => `> ${escapeMarkdown(line)}`),
      '',
    );
  }
  lines.push(
    '## Deliveries per channel',
    '',
    ...table(
      ['channel', 'total', 'sent', 'fallback', 'dead', 'waiting'],
      review.deliveries.map((d) => [d.channel, d.total, d.sent, d.fallback, d.dead, d.waiting]),
    ),
    '',
    '## Unsubscribes during the incident',
    '',
    `${review.unsubscribes.total} in all` +
      (review.unsubscribes.total > 0
        ? `: ${Object.entries(review.unsubscribes.by_how)
            .map(([how, n]) => `${n} by ${escapeMarkdown(how)}`)
            .join(', ')}.`
        : '.'),
    '',
  );
  lines.push(...helpfulness(review), '');
  for (const chart of review.charts) {
    lines.push(`## ${escapeMarkdown(chart.title)}`, '', ...table(chart.table.columns, chart.table.rows), '');
  }
  lines.push(`Generated ${escapeMarkdown(review.generated_at)}.`, '');
  return lines.join('\n');
}
