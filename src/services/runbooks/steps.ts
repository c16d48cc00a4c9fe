/**
 * What each kind of runbook step does, one entry per kind of
 * src/plan/runbooks.ts (the compiler insists on every one). A runner acts as
 * the runbook, inside the step's transaction (execute.ts), and says what it
 * did in a line for the run's progress. A refusal (a CrierError: lint, an
 * audience the severity does not reach, a component not found) fails the
 * step and the run goes on; anything else is retried by the outbox.
 */
import type { ComponentStatus } from '../../domain/components.ts';
import { CrierError } from '../../domain/errors.ts';
import { type IncidentRole, incidentRoleLabels, incidentRoles } from '../../domain/roles.ts';
import { botChannels, keepsRooms } from '../../plan/policy.ts';
import type { RunbookStepKind, StepSettings } from '../../plan/runbooks.ts';
import type { Plan } from '../../plan/schema.ts';
import type { NoticeMessage } from '../../store/outbox.ts';
import type { AlertRow, IncidentRow } from '../../store/schema.ts';
import { openRoomsOn } from '../chat/rooms.ts';
import { requireComponents } from '../components/queries.ts';
import type { Ctx } from '../context.ts';
import { setIncidentComponents } from '../incidents/components.ts';
import { declareIncident } from '../incidents/declare.ts';
import { moveComponentFor } from '../incidents/drill-state.ts';
import { resolveIncident } from '../incidents/resolve.ts';
import { drillMark, pageHolder, teamLink } from '../plan/notices.ts';
import { holdersOf, type ReassignRolesInput, reassignRoles, rotaHolderAt } from '../plan/roles.ts';
import { postUpdate } from '../updates/post.ts';
import { renderForIncident } from '../updates/render.ts';

interface StepRun {
  /** Acting as the runbook, inside the step's transaction. */
  tx: Ctx;
  plan: Plan | null;
  runbook: string;
  incident: IncidentRow | null;
  /** The alert that started the run. */
  alert: AlertRow | null;
  /** Whether the run's own `do` list drafts the external words (then `declare` tells the team only). */
  draftsExternal: boolean;
}

export interface StepOutcome {
  state: 'done' | 'skipped';
  outcome: string;
  /** The incident a declare step made. */
  incidentId?: string;
}

type Runner<K extends RunbookStepKind> = (run: StepRun, settings: StepSettings<K>) => Promise<StepOutcome>;

function needIncident(run: StepRun): IncidentRow {
  if (run.incident === null) throw new CrierError('validation_failed', 'The run has no incident to act on.');
  return run.incident;
}

function whatStarted(run: StepRun): string {
  const alert = run.alert;
  if (alert === null) return `Runbook ${run.runbook} started this incident.`;
  return `Runbook ${run.runbook} started this incident from the ${alert.source} alert "${alert.title}"${alert.link ? ` (${alert.link})` : ''}.`;
}

async function takeUpDrill(
  run: StepRun,
  drill: IncidentRow,
  components: Readonly<Record<string, ComponentStatus>>,
): Promise<StepOutcome> {
  // The alert's arrival is the drill's detection, as a runbook's declaration would record it,
  // when it came no later than the game day declared the drill (an alert at 0s).
  const arrived = run.alert?.first_received_at;
  if (drill.detected_at === null && arrived !== undefined && arrived <= drill.declared_at)
    await run.tx.db
      .updateTable('incidents')
      .set({ detected_at: arrived })
      .where('id', '=', drill.id)
      .execute();
  let moved = 0;
  for (const component of await requireComponents(run.tx.db, Object.keys(components))) {
    const status = components[component.id];
    if (status !== undefined && (await moveComponentFor(run.tx, drill, component, status)) !== null)
      moved += 1;
  }
  return {
    state: 'done',
    outcome: `rehearsed on drill ${drill.id}${moved > 0 ? ` (${moved} component${moved === 1 ? '' : 's'} moved in drill state)` : ''}`,
    incidentId: drill.id,
  };
}

export const stepRunners: { [K in RunbookStepKind]: Runner<K> } = {
  async declare(run, step) {
    // A game day's rehearsal: its drill is the incident, declared already; the step's components move in drill state.
    if (run.incident?.drill === 1) return takeUpDrill(run, run.incident, step.components);
    const alert = run.alert;
    const incident = await declareIncident(run.tx, {
      name: step.name ?? alert?.title.slice(0, 200) ?? run.runbook,
      scenario: step.scenario,
      ...(step.severity !== undefined && { severity: step.severity }),
      components: step.components,
      ...(alert?.starts_at && { started_at: alert.starts_at }),
      ...(alert && { detected_at: alert.first_received_at }),
      // The runbook writes the customers' words itself: the declaration tells the team.
      ...(run.draftsExternal && { audience: 'internal', body: whatStarted(run) }),
    });
    return { state: 'done', outcome: `declared ${incident.id}`, incidentId: incident.id };
  },

  async assign_roles(run, step) {
    const incident = needIncident(run);
    const now = run.tx.clock.now().toISOString();
    const wanted: Partial<Record<IncidentRole, string>> =
      Object.keys(step).length > 0 ? step : Object.fromEntries(incidentRoles.map((r) => [r, 'rota']));
    const input: ReassignRolesInput = {};
    for (const role of incidentRoles) {
      const who = wanted[role];
      if (who === undefined) continue;
      const holder = who === 'rota' ? rotaHolderAt(run.plan, role, now) : who;
      if (holder !== null) input[role] = holder;
    }
    if (Object.keys(input).length === 0) return { state: 'skipped', outcome: 'no rota to take roles from' };
    const roles = await reassignRoles(run.tx, incident.id, input);
    return {
      state: 'done',
      outcome: roles
        .filter((r) => input[r.role] !== undefined)
        .map((r) => `${r.role} ${r.holder}`)
        .join(', '),
    };
  },

  async notify(run, step) {
    const incident = needIncident(run);
    const update = await postUpdate(run.tx, incident.id, {
      body: step.text ?? whatStarted(run),
      audience: step.audience,
    });
    return { state: 'done', outcome: `told ${step.audience} (${update.id})` };
  },

  async draft_external(run, step) {
    const incident = needIncident(run);
    const status = step.status ?? incident.status;
    const rendered = await renderForIncident(run.tx, run.plan, incident, { status });
    const update = await postUpdate(run.tx, incident.id, {
      status,
      body: rendered.body,
      variants: rendered.variants,
      translations: rendered.translations,
      audience: step.audience,
    });
    return {
      state: 'done',
      outcome: `${status} for ${step.audience}: ${update.state === 'published' ? 'published' : update.state.replaceAll('_', ' ')} (${update.id})`,
    };
  },

  async set_component_status(run, step) {
    const incident = needIncident(run);
    const ids = Object.keys(step.components);
    const known = await run.tx.db.selectFrom('components').select('id').where('id', 'in', ids).execute();
    const missing = ids.filter((id) => !known.some((k) => k.id === id));
    if (missing.length > 0)
      throw new CrierError('component_not_found', `No component ${missing.join(', ')}.`, { missing });
    // Linked first, so the move is the incident's (its timeline shows it).
    await run.tx.db
      .insertInto('incident_components')
      .values(ids.map((component_id) => ({ incident_id: incident.id, component_id })))
      .onConflict((oc) => oc.columns(['incident_id', 'component_id']).doNothing())
      .execute();
    const { moved } = await setIncidentComponents(run.tx, incident.id, { components: step.components });
    return { state: 'done', outcome: `${moved} component${moved === 1 ? '' : 's'} moved` };
  },

  async page(run, step) {
    const incident = needIncident(run);
    const holder = (await holdersOf(run.tx.db, incident.id))[step.role];
    if (holder === null) return { state: 'skipped', outcome: `no ${step.role} to page` };
    const label = incidentRoleLabels[step.role];
    const message: NoticeMessage = {
      title: `PAGE ${holder}: the ${label} is needed now for "${incident.name}"${incident.severity ? ` (${incident.severity})` : ''}`,
      text: step.text ?? `${holder}, you are paged as ${label}. ${whatStarted(run)}`,
      url: await teamLink(run.tx, incident.id),
      impact: incident.impact,
      ...drillMark(incident),
    };
    const via = await pageHolder(run.tx, run.plan, step.role, holder, message);
    if (via.length === 0) return { state: 'skipped', outcome: `no channel to page ${holder} on` };
    return { state: 'done', outcome: `paged ${holder} on ${via.join(', ')}` };
  },

  async open_chat_room(run, step) {
    const incident = needIncident(run);
    const channels = step.channel !== undefined ? [step.channel] : botChannels(run.plan);
    if (run.plan === null || channels.length === 0 || !channels.every((c) => keepsRooms(run.plan as Plan, c)))
      throw new CrierError(
        'validation_failed',
        `No chat channel with a bot to open the room on${step.channel ? ` (the plan's "${step.channel}" has none)` : ''}.`,
      );
    const opened = await openRoomsOn(run.tx, incident, channels);
    if (opened.length === 0)
      return { state: 'skipped', outcome: `room open already on ${channels.join(', ')}` };
    return { state: 'done', outcome: `room opening on ${opened.join(', ')}` };
  },

  async resolve(run) {
    const incident = needIncident(run);
    // Someone may have resolved it already: that stands.
    if (incident.status === 'resolved' || incident.status === 'postmortem')
      return { state: 'skipped', outcome: 'resolved already' };
    const view = await resolveIncident(run.tx, incident.id, {});
    const last = view.incident_updates.find((u) => u.status === 'resolved');
    return {
      state: 'done',
      outcome: `resolved: ${last?.state === 'published' ? 'published' : (last?.state.replaceAll('_', ' ') ?? 'posted')}`,
    };
  },
};
