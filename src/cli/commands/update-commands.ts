/**
 * The life of a drafted update from a terminal: draft, submit, approve or reject, publish,
 * preview each channel's text, and the support brief.
 */
import type { Command } from 'commander';
import { incidentStatuses } from '../../domain/incidents.ts';
import { call, type Schemas } from '../client.ts';
import { CliError, print, table } from '../output.ts';
import { componentMap } from './client-commands.ts';
import { api, collect, oneOf, pairs, rows, withJson } from './common.ts';

interface Json {
  json: boolean;
}

function showDraft(d: Schemas['Draft']): string {
  const head = table(rows(d), ['id', 'state', 'status', 'audience', 'round']);
  const lint = d.lint.length
    ? `\nLint:\n${table(rows(d.lint), ['code', 'channel', 'message'])}`
    : '\nLint: no problems';
  const decisions = d.decisions.length
    ? `\nDecisions:\n${table(rows(d.decisions), ['round', 'decision', 'actor', 'comment', 'at'])}`
    : '';
  return `${head}\n\n${d.body}\n${lint}${decisions}`;
}

const ids = (incident: string, update: string) => ({ params: { path: { id: incident, uid: update } } });

/** `crier VERB <incident-id> <update-id>`, the shape of every verb on one update. */
function onUpdate(program: Command, verb: string, description: string): Command {
  return withJson(
    program
      .command(verb)
      .description(description)
      .argument('<incident-id>', 'the incident')
      .argument('<update-id>', 'the update (its id is in `crier incident show` and `crier draft`)'),
  );
}

interface DraftOptions extends Json {
  status?: string;
  audience: string;
  message?: string;
  var?: string[];
  component?: string[];
  eta?: string;
}

/** approve and reject, under `parent`. */
function decisionCommands(parent: Command): void {
  onUpdate(parent, 'approve', 'approve a submitted update (published once its approvals are complete)')
    .option('--comment <text>', 'a note kept with the decision')
    .option(
      '--reason <text>',
      "an admin's last resort when everyone else eligible wrote it: why (kept in the record)",
    )
    .option('--no-publish', 'approve without publishing yet')
    .action(
      async (
        incident: string,
        update: string,
        o: Json & { comment?: string; reason?: string; publish: boolean },
      ) => {
        const d = await call(
          (await api()).POST('/api/v1/incidents/{id}/updates/{uid}/approve', {
            ...ids(incident, update),
            body: {
              ...(o.comment && { comment: o.comment }),
              ...(o.reason && { reason: o.reason }),
              publish: o.publish,
            },
          }),
        );
        print(d, o.json, () => showDraft(d));
      },
    );

  onUpdate(parent, 'reject', 'reject a submitted update, saying what to change')
    .requiredOption('--comment <text>', 'what to change; the author reads it')
    .action(async (incident: string, update: string, o: Json & { comment: string }) => {
      const d = await call(
        (await api()).POST('/api/v1/incidents/{id}/updates/{uid}/reject', {
          ...ids(incident, update),
          body: { comment: o.comment },
        }),
      );
      print(d, o.json, () => showDraft(d));
    });
}

export function updateCommands(program: Command): void {
  withJson(
    program
      .command('draft')
      .description("draft an update, from the scenario's template unless --message gives the text")
      .argument('<incident-id>', 'the incident')
      .option('--status <status>', `the status it moves to (${incidentStatuses.join(', ')})`)
      .option('--audience <name>', 'who it is for (public, a customer audience, internal)', 'public')
      .option('-m, --message <text>', "the text (default: the scenario's template for the status)")
      .option('--var <key=value>', 'a variable for the template (repeat)', collect)
      .option('-c, --component <id=status>', 'a component and its new status (repeat)', collect)
      .option('--eta <iso>', 'when the fix is expected, set when it is published'),
  ).action(async (incident: string, o: DraftOptions) => {
    const d = await call(
      (await api()).POST('/api/v1/incidents/{id}/drafts', {
        params: { path: { id: incident } },
        body: {
          audience: o.audience,
          ...(o.status && { status: oneOf(o.status, incidentStatuses, 'status') }),
          ...(o.message && { body: o.message }),
          ...(o.eta && { eta: o.eta }),
          variables: pairs(o.var, '--var'),
          components: componentMap(o.component),
        },
      }),
    );
    print(d, o.json, () => showDraft(d));
  });

  onUpdate(program, 'submit', 'submit a draft for approval (published at once when none is needed)')
    .option('--lint-override <reason>', 'go ahead despite lint errors, saying why (kept in the record)')
    .action(async (incident: string, update: string, o: Json & { lintOverride?: string }) => {
      const d = await call(
        (await api()).POST('/api/v1/incidents/{id}/updates/{uid}/submit', {
          ...ids(incident, update),
          body: o.lintOverride ? { lint_override: { reason: o.lintOverride } } : {},
        }),
      );
      print(d, o.json, () => showDraft(d));
    });

  decisionCommands(program);
  // The same two as `crier update approve|reject`, the form approval requests name.
  decisionCommands(
    program.command('update').description("an approver's decision on a draft (as approve, reject)"),
  );

  onUpdate(program, 'publish', 'publish an approved update')
    .option('--lint-override <reason>', 'go ahead despite lint errors, saying why (kept in the record)')
    .action(async (incident: string, update: string, o: Json & { lintOverride?: string }) => {
      const d = await call(
        (await api()).POST('/api/v1/incidents/{id}/updates/{uid}/publish', {
          ...ids(incident, update),
          body: o.lintOverride ? { lint_override: { reason: o.lintOverride } } : {},
        }),
      );
      print(d, o.json, () => showDraft(d));
    });

  onUpdate(program, 'preview', 'how an update reads on each channel it goes out on').action(
    async (incident: string, update: string, o: Json) => {
      const p = await call(
        (await api()).GET('/api/v1/incidents/{id}/updates/{uid}/preview', ids(incident, update)),
      );
      print(
        p,
        o.json,
        () =>
          p.channels
            .map((c) => {
              const size = `${c.length}${c.limit === null ? '' : `/${c.limit}`} ${c.unit}`;
              const fits = c.fits ? '' : '  DOES NOT FIT';
              const subject = c.subject ? `Subject: ${c.subject}\n` : '';
              const lint = c.lint.map((l) => `  ! ${l.code}: ${l.message}`).join('\n');
              return `── ${c.channel} (${c.type}, ${size})${fits}\n${subject}${c.text}${lint ? `\n${lint}` : ''}`;
            })
            .join('\n\n') || `No channel carries the ${p.audience} audience's updates.`,
      );
    },
  );

  withJson(
    program
      .command('brief')
      .description('the support brief: a ready reply for tickets, what is affected, the next update')
      .argument('<incident-id>', 'the incident'),
  ).action(async (incident: string, o: Json) => {
    const client = await api();
    const params = { params: { path: { id: incident } } };
    if (o.json) {
      print(await call(client.GET('/api/v1/incidents/{id}/support-brief', params)), true, () => '');
      return;
    }
    const text = await call(
      client.GET('/api/v1/incidents/{id}/support-brief', {
        ...params,
        headers: { accept: 'text/plain' },
        parseAs: 'text',
      }),
    );
    if (typeof text !== 'string') throw new CliError('Crier answered the brief in an unexpected form.');
    process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  });
}
