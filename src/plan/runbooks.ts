/**
 * Runbooks in the plan: which alerts they take (`when:`), how long they wait
 * against flapping (`for:`), how alerts group into one incident
 * (`group_by:`), and their steps. Each step kind is one entry in
 * `runbookStepKinds`: its settings' schema, the lists it may stand in, and
 * the checks that need the whole plan. The worker runs each kind through
 * the matching entry of src/services/runbooks/steps.ts (the compiler
 * insists on one per kind).
 */
import { z } from 'zod';
import { ingestSources } from '../domain/alerts.ts';
import { componentStatuses } from '../domain/components.ts';
import { incidentStatuses } from '../domain/incidents.ts';
import { incidentRoles } from '../domain/roles.ts';
import { Duration, Name, SeverityName } from './primitives.ts';

const LabelMatch = z.union([
  z.string().max(500).describe('The label has exactly this value.'),
  z
    .strictObject({
      pattern: z
        .string()
        .min(1)
        .max(500)
        .refine((p) => {
          try {
            new RegExp(p);
            return true;
          } catch {
            return false;
          }
        }, 'a regular expression')
        .describe('The whole value matches this regular expression (as Alertmanager’s =~).'),
    })
    .describe('The label matches a pattern.'),
]);

const ComponentStatuses = z
  .record(z.string().min(1).max(64), z.enum(componentStatuses))
  .refine((m) => Object.keys(m).length <= 100, 'at most 100 components');

const DeclareStep = z
  .strictObject({
    scenario: Name.describe('The scenario: its severity, impact and first words.'),
    severity: SeverityName.optional().describe('The severity; the scenario’s by default.'),
    name: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .optional()
      .describe('The incident’s name; the alert’s title by default.'),
    components: ComponentStatuses.default({}).describe('Components (by id) and the status each moves to.'),
  })
  .describe(
    'Declare an incident from the scenario; its first notice follows the severity’s approval policy (or goes to the team only, when the runbook drafts the external words itself).',
  );

const Person = z.string().trim().min(1).max(200);

const AssignRolesStep = z
  .strictObject(
    Object.fromEntries(
      incidentRoles.map((r) => [
        r,
        z
          .union([z.literal('rota'), Person])
          .optional()
          .describe(`\`rota\`, or the person to hold ${r}.`),
      ]),
    ) as Record<
      (typeof incidentRoles)[number],
      z.ZodOptional<z.ZodUnion<[z.ZodLiteral<'rota'>, typeof Person]>>
    >,
  )
  .describe(
    'Hand roles out: `rota` (whoever is on turn now) or a person; `{}` gives every role with a rota from it.',
  );

const NotifyStep = z
  .strictObject({
    audience: Name.default('internal').describe(
      'Who hears it: an audience of the plan; internal by default.',
    ),
    text: z
      .string()
      .trim()
      .min(1)
      .max(2000)
      .optional()
      .describe('The words; by default, what started the run.'),
  })
  .describe('Tell an audience, usually the team: an update to that audience only.');

const DraftExternalStep = z
  .strictObject({
    status: z
      .enum(incidentStatuses)
      .exclude(['postmortem'])
      .optional()
      .describe(
        'The update’s status, whose scenario template gives the words; the incident’s own by default.',
      ),
    audience: Name.default('public').describe('Who it is for; public by default.'),
  })
  .describe(
    'Write the external update from the scenario’s template: it waits for the approvers the severity names, or goes out at once where approval is none.',
  );

const SetComponentStatusStep = z
  .strictObject({
    components: ComponentStatuses.refine((m) => Object.keys(m).length > 0, 'at least one component').describe(
      'Components (by id) and the status each moves to.',
    ),
  })
  .describe('Move components now, linking them to the incident; customers hear with the next update.');

const PageStep = z
  .strictObject({
    role: z.enum(incidentRoles).describe('Whose holder is paged.'),
    text: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .optional()
      .describe('The words; by default, the incident and alert.'),
  })
  .describe(
    'Tell a role’s holder urgently: on the role’s chat channel (or the internal audience’s), by email, and by SMS where the role lists their phone.',
  );

const OpenChatRoomStep = z
  .strictObject({
    channel: Name.optional().describe(
      'The plan’s Slack or Mattermost channel (one with a bot_token) to open the room on; by default each of the internal audience’s channels with a bot.',
    ),
  })
  .describe(
    'Open the incident’s chat room and invite the role holders; the room then hears the whole timeline. Where the internal audience asks for a room per incident, the room is open already and this changes nothing.',
  );

type Phase = 'do' | 'on_resolve';

interface StepKindSpec {
  schema: z.ZodType;
  /** The lists the step may stand in. */
  phases: readonly Phase[];
}

/** Every kind of runbook step. Adding one: an entry here, a runner in src/services/runbooks/steps.ts, docs. */
export const runbookStepKinds = {
  declare: { schema: DeclareStep, phases: ['do'] },
  assign_roles: { schema: AssignRolesStep, phases: ['do', 'on_resolve'] },
  notify: { schema: NotifyStep, phases: ['do', 'on_resolve'] },
  draft_external: { schema: DraftExternalStep, phases: ['do', 'on_resolve'] },
  set_component_status: { schema: SetComponentStatusStep, phases: ['do', 'on_resolve'] },
  page: { schema: PageStep, phases: ['do', 'on_resolve'] },
  open_chat_room: { schema: OpenChatRoomStep, phases: ['do'] },
  resolve: {
    schema: z
      .strictObject({})
      .describe(
        'Resolve the incident in the scenario’s resolved words; the notice follows the approval policy, and the components go back to operational.',
      ),
    phases: ['on_resolve'],
  },
} as const satisfies Record<string, StepKindSpec>;

export type RunbookStepKind = keyof typeof runbookStepKinds;
const runbookStepKindNames = Object.keys(runbookStepKinds) as RunbookStepKind[];
export type StepSettings<K extends RunbookStepKind> = z.output<(typeof runbookStepKinds)[K]['schema']>;

const RunbookStep = z
  .strictObject(
    Object.fromEntries(
      Object.entries(runbookStepKinds).map(([kind, spec]) => [kind, spec.schema.optional()]),
    ) as { [K in RunbookStepKind]: z.ZodOptional<(typeof runbookStepKinds)[K]['schema']> },
  )
  .refine((step) => Object.keys(step).length === 1, 'one step: a single key such as declare or notify');
export type RunbookStep = z.infer<typeof RunbookStep>;

/** A step's kind and settings: the one key it has. */
export function stepOf(step: RunbookStep): { kind: RunbookStepKind; settings: unknown } {
  const kind = runbookStepKindNames.find((k) => step[k] !== undefined);
  if (kind === undefined) throw new Error('A runbook step without a kind.');
  return { kind, settings: step[kind] };
}

export const RunbookSpec = z.strictObject({
  name: Name.optional().describe('How the runbook is named in the audit log; runbook-1, -2 … by default.'),
  when: z
    .strictObject({
      source: z.enum(ingestSources).optional().describe('Only alerts from this source.'),
      labels: z.record(z.string().min(1).max(200), LabelMatch).default({}),
      severity: z
        .union([z.string().max(100), z.array(z.string().max(100)).min(1).max(20)])
        .optional()
        .describe('The alert’s severity is this one, or one of these.'),
    })
    .describe('Which alerts start this runbook: every condition must hold.'),
  for: Duration.optional().describe(
    'Act only on an alert still firing this long after it began firing; one that resolves sooner starts nothing.',
  ),
  group_by: z
    .array(z.string().min(1).max(200))
    .max(20)
    .default([])
    .describe(
      'Labels whose values make one incident: alerts that agree on them join the open incident. Without it, one incident per runbook at a time.',
    ),
  do: z.array(RunbookStep).min(1).max(20).describe('What to do when a matching alert fires.'),
  on_resolve: z
    .array(RunbookStep)
    .max(20)
    .default([])
    .describe('What to do once every alert of the incident is resolved.'),
});
export type RunbookSpec = z.infer<typeof RunbookSpec>;

/** A runbook's name: its own, or its place in the list (runbook-1 for the first). */
export function runbookName(runbook: RunbookSpec, index: number): string {
  return runbook.name ?? `runbook-${index + 1}`;
}
