/**
 * The components screen: every component in the page's order with its
 * group and status; set a status (those who may move components), add,
 * move up or down, and delete (those who manage the list); groups
 * (groups-panel.ts). Each action is the admin API's verb, as the signed-in
 * person.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { componentStatuses } from '../../domain/components.ts';
import { can, type Role } from '../../domain/permissions.ts';
import { createComponent } from '../../services/components/create.ts';
import { deleteComponent } from '../../services/components/delete.ts';
import { listComponents } from '../../services/components/queries.ts';
import { reorderComponents } from '../../services/components/reorder.ts';
import { updateComponent } from '../../services/components/update.ts';
import { listGroups } from '../../services/groups/groups.ts';
import type { SessionUser } from '../../services/users/sessions.ts';
import type { ComponentGroupView, ComponentView } from '../../services/views.ts';
import type { BaseCtx } from '../auth.ts';
import { groupChoice, groupDone, groupRoutes, groupsPanel } from './groups-panel.ts';
import { type Html, html, type Page } from './html.ts';
import { actThenShow, field, noticeOf, personCtx, sendPage } from './page.ts';
import { options, post, words } from './parts.ts';

const done = {
  added: 'Component added.',
  status: 'Status set.',
  moved: 'Order changed.',
  deleted: 'Component deleted.',
  ...groupDone,
} as const;

type CidParams = { Params: { cid: string } };

function row(role: Role, c: ComponentView, groups: ComponentGroupView[], i: number, last: number): Html {
  const base = `/console/components/${c.id}`;
  const group = groups.find((g) => g.id === c.group_id)?.name;
  return html`<li class="card" id="c-${c.id}"><h3>${c.name}</h3>
<p class="muted">${group ? html`In ${group} · ` : ''}${words(c.status)}</p>
<div class="actions">${
    can(role, 'component.status') &&
    html`<form method="post" action="${base}/status"><label>Status <select name="status">${options(componentStatuses, c.status)}</select></label><button type="submit" class="secondary">Set</button></form>`
  }${
    can(role, 'component.manage') &&
    html`${i > 0 && post(`${base}/move`, 'Move up', html`<input type="hidden" name="to" value="up">`, 'secondary')}${
      i < last &&
      post(`${base}/move`, 'Move down', html`<input type="hidden" name="to" value="down">`, 'secondary')
    }${post(`${base}/delete`, 'Delete', '', 'secondary')}${groupChoice(c, groups)}`
  }</div></li>`;
}

function screen(role: Role, components: ComponentView[], groups: ComponentGroupView[]): Html {
  return html`<h1>Components</h1>
${
  can(role, 'component.manage') &&
  html`<details class="card"><summary><strong>Add a component</strong></summary>
<form class="stack" method="post" action="/console/components">
<label>Name <input name="name" required maxlength="255"></label>
<label>Description <input name="description" maxlength="1000"></label>
${groups.length > 0 && html`<div class="field"><label for="add-group">Group</label><select id="add-group" name="group_id"><option value="">none</option>${groups.map((g) => html`<option value="${g.id}">${g.name}</option>`)}</select></div>`}
<button type="submit">Add</button></form></details>`
}
${
  components.length === 0
    ? html`<p class="muted">No component yet.</p>`
    : html`<ul class="cards">${components.map((c, i) => row(role, c, groups, i, components.length - 1))}</ul>`
}
${can(role, 'component.manage') && groupsPanel(groups, components)}`;
}

export function componentRoutes(base: BaseCtx) {
  async function show(req: FastifyRequest, reply: FastifyReply, status: number, notice: Page['notice']) {
    const user = req.consoleUser as SessionUser;
    const [components, groups] = await Promise.all([listComponents(base.db), listGroups(base.db)]);
    return sendPage(reply, status, {
      title: 'Components',
      user,
      notice,
      now: base.clock.now(),
      live: { kinds: ['component', 'page'] },
      main: screen(user.role, components, groups),
    });
  }
  const act = (
    req: FastifyRequest,
    reply: FastifyReply,
    key: keyof typeof done,
    run: () => Promise<unknown>,
  ) =>
    actThenShow(reply, '/console/components', key, run, (status, notice) => show(req, reply, status, notice));

  return async (app: FastifyInstance) => {
    await app.register(groupRoutes(base, act));
    app.get<{ Querystring: { done?: string } }>('/console/components', async (req, reply) =>
      show(req, reply, 200, noticeOf(done, req.query.done)),
    );
    app.post('/console/components', async (req, reply) =>
      act(req, reply, 'added', () =>
        createComponent(personCtx(base, req), {
          name: field(req.body, 'name'),
          ...(field(req.body, 'description').trim() && {
            description: field(req.body, 'description').trim(),
          }),
          ...(field(req.body, 'group_id') && { group_id: field(req.body, 'group_id') }),
        }),
      ),
    );
    app.post<CidParams>('/console/components/:cid/status', async (req, reply) =>
      act(req, reply, 'status', () =>
        updateComponent(personCtx(base, req), req.params.cid, {
          status: field(req.body, 'status') as 'operational',
        }),
      ),
    );
    app.post<CidParams>('/console/components/:cid/move', async (req, reply) =>
      act(req, reply, 'moved', async () => {
        const order = (await listComponents(base.db)).map((c) => c.id);
        const at = order.indexOf(req.params.cid);
        const to = at + (field(req.body, 'to') === 'up' ? -1 : 1);
        if (at >= 0 && to >= 0 && to < order.length) {
          [order[at], order[to]] = [order[to] as string, order[at] as string];
        }
        // An unknown id is named, so the verb refuses it with its own message.
        return reorderComponents(personCtx(base, req), { component_ids: at < 0 ? [req.params.cid] : order });
      }),
    );
    app.post<CidParams>('/console/components/:cid/delete', async (req, reply) =>
      act(req, reply, 'deleted', () => deleteComponent(personCtx(base, req), req.params.cid)),
    );
  };
}
