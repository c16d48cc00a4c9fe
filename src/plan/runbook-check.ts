/**
 * The checks of the plan's runbooks that need the whole plan: every
 * scenario, severity, audience, role, source and chat channel a runbook names exists, each
 * step stands in a list it belongs to, and names are unique. Checked here
 * rather than in the schema, so a version stored by an earlier Crier still
 * loads.
 */
import { incidentRoles } from '../domain/roles.ts';
import { botChannels, keepsRooms } from './policy.ts';
import { type RunbookSpec, runbookName, runbookStepKinds, stepOf } from './runbooks.ts';
import type { Plan } from './schema.ts';

interface Problem {
  path: string;
  message: string;
}

function list(names: readonly string[]): string {
  return names.length === 0 ? 'none' : names.join(', ');
}

function audienceProblem(plan: Plan, audience: string, at: string): Problem[] {
  if (audience === 'internal' || audience in plan.audiences) return [];
  return [
    {
      path: at,
      message: `no audience named "${audience}"; the plan has ${list(Object.keys(plan.audiences))}`,
    },
  ];
}

const withBot = 'a slack or mattermost channel with a bot_token (docs/chat.md)';

function roomProblem(plan: Plan, step: { channel?: string | undefined }, at: string): Problem[] {
  if (step.channel === undefined) {
    if (botChannels(plan).length > 0) return [];
    return [
      { path: `${at}.open_chat_room`, message: `none of the internal audience's channels is ${withBot}` },
    ];
  }
  if (keepsRooms(plan, step.channel)) return [];
  const problem = plan.channels[step.channel] === undefined ? `no channel named "${step.channel}"` : 'no bot';
  const bots = Object.keys(plan.channels).filter((name) => keepsRooms(plan, name));
  return [
    {
      path: `${at}.open_chat_room.channel`,
      message: `${problem}: name ${withBot}; the plan has ${list(bots)}`,
    },
  ];
}

function checkStep(plan: Plan, runbook: RunbookSpec, step: RunbookSpec['do'][number], at: string): Problem[] {
  const problems: Problem[] = [];
  const { kind } = stepOf(step);
  const scenarioName = runbook.do.find((s) => s.declare !== undefined)?.declare?.scenario;
  const scenario = scenarioName === undefined ? undefined : plan.scenarios[scenarioName];
  if (step.declare !== undefined) {
    const declare = step.declare;
    if (plan.scenarios[declare.scenario] === undefined) {
      problems.push({
        path: `${at}.declare.scenario`,
        message: `no scenario named "${declare.scenario}"; the plan has ${list(Object.keys(plan.scenarios))}`,
      });
    }
    const severity = declare.severity ?? plan.scenarios[declare.scenario]?.severity;
    if (declare.severity !== undefined && !(declare.severity in plan.severities)) {
      problems.push({
        path: `${at}.declare.severity`,
        message: `no severity named "${declare.severity}"; the plan has ${list(Object.keys(plan.severities))}`,
      });
    } else if (severity === undefined && plan.scenarios[declare.scenario] !== undefined) {
      problems.push({
        path: `${at}.declare`,
        message: 'no severity: give one here or in the scenario, so the approval policy is known',
      });
    }
  }
  if (step.assign_roles !== undefined) {
    for (const role of incidentRoles) {
      if (step.assign_roles[role] !== 'rota') continue;
      if ((plan.roles[role]?.rota.length ?? 0) === 0)
        problems.push({
          path: `${at}.assign_roles.${role}`,
          message: `roles.${role} has no rota to take it from`,
        });
    }
  }
  if (step.notify !== undefined)
    problems.push(...audienceProblem(plan, step.notify.audience, `${at}.notify.audience`));
  if (step.draft_external !== undefined) {
    const draft = step.draft_external;
    problems.push(...audienceProblem(plan, draft.audience, `${at}.draft_external.audience`));
    if (draft.audience === 'internal')
      problems.push({
        path: `${at}.draft_external.audience`,
        message: 'external words go to customers: use notify for the team',
      });
    const status = draft.status;
    if (status !== undefined && scenario !== undefined && scenario.templates[status] === undefined) {
      problems.push({
        path: `${at}.draft_external.status`,
        message: `scenario "${scenarioName}" has no template for ${status}`,
      });
    }
  }
  if (step.open_chat_room !== undefined) problems.push(...roomProblem(plan, step.open_chat_room, at));
  if (!runbookStepKinds[kind].phases.some((p) => at.includes(`.${p}.`))) {
    const home = runbookStepKinds[kind].phases[0];
    problems.push({ path: at, message: `${kind} belongs in ${home}` });
  }
  return problems;
}

/** Each runbook names what the plan has, steps where they belong, and a name no other runbook has. */
export function checkRunbooks(plan: Plan): Problem[] {
  const problems: Problem[] = [];
  const names = new Map<string, number>();
  plan.runbooks.forEach((runbook, i) => {
    const at = `runbooks.${i}`;
    const name = runbookName(runbook, i);
    const first = names.get(name);
    if (first !== undefined) {
      problems.push({ path: `${at}.name`, message: `runbooks.${first} is also named "${name}"` });
    }
    names.set(name, i);
    const opening = runbook.do[0];
    if (opening?.declare === undefined && opening?.resolve === undefined) {
      problems.push({ path: `${at}.do.0`, message: 'a runbook starts by declaring: declare: { scenario }' });
    }
    if (runbook.when.source === 'generic' && plan.ingest.generic === undefined) {
      problems.push({
        path: `${at}.when.source`,
        message: 'generic alerts need a mapping: add ingest.generic (docs/ingest.md)',
      });
    }
    runbook.do.forEach((step, j) => {
      problems.push(...checkStep(plan, runbook, step, `${at}.do.${j}`));
    });
    runbook.on_resolve.forEach((step, j) => {
      problems.push(...checkStep(plan, runbook, step, `${at}.on_resolve.${j}`));
    });
  });
  return problems;
}
