/**
 * The maintenances screen: windows in progress, scheduled and finished;
 * schedule one (times in UTC, components, the notice's words); start,
 * verify, complete or cancel one as its state machine allows. Those who
 * may not write maintenances see the list only.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { canMoveMaintenance, type MaintenanceStatus } from '../../domain/maintenances.ts';
import { can, type Role } from '../../domain/permissions.ts';
import { listComponents } from '../../services/components/queries.ts';
import { moveMaintenance } from '../../services/maintenances/move.ts';
import { listMaintenances } from '../../services/maintenances/queries.ts';
import { scheduleMaintenance } from '../../services/maintenances/schedule.ts';
import type { SessionUser } from '../../services/users/sessions.ts';
import type { ComponentView, MaintenanceView } from '../../services/views.ts';
import type { BaseCtx } from '../auth.ts';
import { type Html, html, type Page } from './html.ts';
import { actThenShow, field, fields, noticeOf, personCtx, sendPage } from './page.ts';
import { countdown, post, utcInstant, when, words } from './parts.ts';

const done = {
  scheduled: 'Maintenance scheduled; subscribers are told.',
  in_progress: 'Maintenance started.',
  verifying: 'Maintenance is being verified.',
  completed: 'Maintenance completed.',
  cancelled: 'Maintenance cancelled.',
} as const;

const moves: { to: MaintenanceStatus; label: string }[] = [
  { to: 'in_progress', label: 'Start' },
  { to: 'verifying', label: 'Verify' },
  { to: 'completed', label: 'Complete' },
  { to: 'cancelled', label: 'Cancel' },
];

function card(role: Role, m: MaintenanceView, now: Date): Html {
  return html`<li class="card" id="m-${m.id}"><h3>${m.name}</h3>
<p><span class="badge">${words(m.status)}</span> ${when(m.scheduled_for)} to ${when(m.scheduled_until)}${
    m.status === 'scheduled' && html` · starts ${countdown(m.scheduled_for, now)}`
  }</p>
${m.components.length > 0 && html`<p class="muted">${m.components.map((c) => c.name).join(', ')}</p>`}
<p class="body">${m.body}</p>
${
  can(role, 'maintenance.write') &&
  html`<div class="actions">${moves
    .filter((mv) => canMoveMaintenance(m.status, mv.to))
    .map((mv) =>
      post(
        `/console/maintenances/${m.id}/move`,
        mv.label,
        html`<input type="hidden" name="to" value="${mv.to}">`,
        mv.to === 'cancelled' ? 'secondary' : '',
      ),
    )}</div>`
}</li>`;
}

function scheduleForm(components: ComponentView[]): Html {
  return html`<details class="card"><summary><strong>Schedule a maintenance</strong></summary>
<form class="stack" method="post" action="/console/maintenances">
<label>What is done <input name="name" required maxlength="255"></label>
<label>Starts, in UTC <input type="datetime-local" name="scheduled_for" required></label>
<label>Ends, in UTC <input type="datetime-local" name="scheduled_until" required></label>
${
  components.length > 0 &&
  html`<fieldset><legend>Components</legend>${components.map(
    (c) =>
      html`<label class="inline"><input type="checkbox" name="component" value="${c.id}"> ${c.name}</label>`,
  )}</fieldset>`
}
<label>What customers read <textarea name="body" maxlength="10000"></textarea></label>
<button type="submit">Schedule</button></form></details>`;
}

export function maintenanceRoutes(base: BaseCtx) {
  async function show(req: FastifyRequest, reply: FastifyReply, status: number, notice: Page['notice']) {
    const user = req.consoleUser as SessionUser;
    const page = { page: 1, per_page: 50 };
    const [active, upcoming, finished, components] = await Promise.all([
      listMaintenances(base.db, page, { state: 'active' }),
      listMaintenances(base.db, page, { state: 'upcoming' }),
      listMaintenances(base.db, { page: 1, per_page: 20 }, { state: 'finished' }),
      listComponents(base.db),
    ]);
    const now = base.clock.now();
    const list = (items: MaintenanceView[], none: string) =>
      items.length === 0
        ? html`<p class="muted">${none}</p>`
        : html`<ul class="cards">${items.map((m) => card(user.role, m, now))}</ul>`;
    return sendPage(reply, status, {
      title: 'Maintenances',
      user,
      notice,
      now,
      live: { kinds: ['maintenance', 'component'] },
      main: html`<h1>Maintenances</h1>
${can(user.role, 'maintenance.write') && scheduleForm(components)}
<h2>In progress</h2>${list(active.items, 'None in progress.')}
<h2>Scheduled</h2>${list([...upcoming.items].reverse(), 'None scheduled.')}
<h2>Finished</h2>${list(finished.items, 'None finished yet.')}`,
    });
  }

  return async (app: FastifyInstance) => {
    app.get<{ Querystring: { done?: string } }>('/console/maintenances', async (req, reply) =>
      show(req, reply, 200, noticeOf(done, req.query.done)),
    );
    app.post('/console/maintenances', async (req, reply) =>
      actThenShow(
        reply,
        '/console/maintenances',
        'scheduled',
        () =>
          scheduleMaintenance(personCtx(base, req), {
            name: field(req.body, 'name'),
            scheduled_for: utcInstant(field(req.body, 'scheduled_for')),
            scheduled_until: utcInstant(field(req.body, 'scheduled_until')),
            component_ids: fields(req.body, 'component'),
            ...(field(req.body, 'body').trim() && { body: field(req.body, 'body').trim() }),
          }),
        (status, notice) => show(req, reply, status, notice),
      ),
    );
    app.post<{ Params: { mid: string } }>('/console/maintenances/:mid/move', async (req, reply) => {
      const to = moves.find((m) => m.to === field(req.body, 'to'))?.to;
      if (to === undefined)
        return show(req, reply, 400, { kind: 'error', text: 'Choose a move the list offers.' });
      return actThenShow(
        reply,
        '/console/maintenances',
        to,
        () => moveMaintenance(personCtx(base, req), req.params.mid, to),
        (status, notice) => show(req, reply, status, notice),
      );
    });
  };
}
