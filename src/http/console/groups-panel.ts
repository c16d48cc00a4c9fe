/**
 * Component groups on the components screen, for those who manage the
 * list: add one, rename it, move it up or down, delete it (its components
 * stay, ungrouped), and put a component in a group or take it out. Each
 * action is the admin API's verb, as the signed-in person.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { updateComponent } from '../../services/components/update.ts';
import { createGroup, deleteGroup, listGroups, updateGroup } from '../../services/groups/groups.ts';
import { reorderGroups } from '../../services/groups/reorder.ts';
import type { ComponentGroupView, ComponentView } from '../../services/views.ts';
import type { BaseCtx } from '../auth.ts';
import { type Html, html } from './html.ts';
import { field, personCtx } from './page.ts';
import { post } from './parts.ts';

export const groupDone = {
  group_added: 'Group added.',
  renamed: 'Group renamed.',
  group_moved: 'Groups reordered.',
  group_deleted: 'Group deleted; its components stay, ungrouped.',
  assigned: 'Group changed.',
} as const;
type GroupDone = keyof typeof groupDone;

function groupCard(g: ComponentGroupView, components: ComponentView[], i: number, last: number): Html {
  const base = `/console/groups/${g.id}`;
  const members = components.filter((c) => c.group_id === g.id).map((c) => c.name);
  return html`<li class="card" id="g-${g.id}"><h3>${g.name}</h3>
<p class="muted">${members.length === 0 ? 'No component yet.' : members.join(', ')}</p>
<div class="actions"><form method="post" action="${base}/rename"><label>New name <input name="name" required maxlength="255" value="${g.name}"></label><button type="submit" class="secondary">Rename</button></form>
${i > 0 && post(`${base}/move`, 'Move up', html`<input type="hidden" name="to" value="up">`, 'secondary')}${
  i < last &&
  post(`${base}/move`, 'Move down', html`<input type="hidden" name="to" value="down">`, 'secondary')
}${post(`${base}/delete`, 'Delete group', '', 'secondary')}</div></li>`;
}

export function groupsPanel(groups: ComponentGroupView[], components: ComponentView[]): Html {
  return html`<h2>Groups</h2>
<details class="card"><summary><strong>Add a group</strong></summary>
<form class="stack" method="post" action="/console/groups">
<label>Group name <input name="name" required maxlength="255"></label>
<button type="submit">Add group</button></form></details>
${
  groups.length === 0
    ? html`<p class="muted">No group yet: components show on the page one by one.</p>`
    : html`<ul class="cards">${groups.map((g, i) => groupCard(g, components, i, groups.length - 1))}</ul>`
}`;
}

/** The group a component is in, changeable; nothing when there is no group to choose. */
export function groupChoice(c: ComponentView, groups: ComponentGroupView[]): Html | string {
  if (groups.length === 0) return '';
  return html`<form method="post" action="/console/components/${c.id}/group"><label>Group <select name="group_id"><option value="">none</option>${groups.map(
    (g) => html`<option value="${g.id}"${g.id === c.group_id ? html` selected` : ''}>${g.name}</option>`,
  )}</select></label><button type="submit" class="secondary">Change group</button></form>`;
}

type Act = (req: FastifyRequest, reply: FastifyReply, key: GroupDone, run: () => Promise<unknown>) => unknown;

export function groupRoutes(base: BaseCtx, act: Act) {
  return async (app: FastifyInstance) => {
    type Gid = { Params: { gid: string } };
    app.post('/console/groups', async (req, reply) =>
      act(req, reply, 'group_added', () =>
        createGroup(personCtx(base, req), { name: field(req.body, 'name') }),
      ),
    );
    app.post<Gid>('/console/groups/:gid/rename', async (req, reply) =>
      act(req, reply, 'renamed', () =>
        updateGroup(personCtx(base, req), req.params.gid, { name: field(req.body, 'name') }),
      ),
    );
    app.post<Gid>('/console/groups/:gid/move', async (req, reply) =>
      act(req, reply, 'group_moved', async () => {
        const order = (await listGroups(base.db)).map((g) => g.id);
        const at = order.indexOf(req.params.gid);
        const to = at + (field(req.body, 'to') === 'up' ? -1 : 1);
        if (at >= 0 && to >= 0 && to < order.length) {
          [order[at], order[to]] = [order[to] as string, order[at] as string];
        }
        // An unknown id is named, so the verb refuses it with its own message.
        return reorderGroups(personCtx(base, req), { group_ids: at < 0 ? [req.params.gid] : order });
      }),
    );
    app.post<Gid>('/console/groups/:gid/delete', async (req, reply) =>
      act(req, reply, 'group_deleted', () => deleteGroup(personCtx(base, req), req.params.gid)),
    );
    app.post<{ Params: { cid: string } }>('/console/components/:cid/group', async (req, reply) =>
      act(req, reply, 'assigned', () =>
        updateComponent(personCtx(base, req), req.params.cid, {
          group_id: field(req.body, 'group_id') || null,
        }),
      ),
    );
  };
}
