/**
 * The people and tokens screens, for admins (`user.manage`, `token.manage`;
 * the verbs refuse anyone else): invite a person with a role (the one-time
 * link is shown once, on the answer to the form, never in an address),
 * change a role, remove a person; invite someone the plan's rotas name who
 * is not a user yet, with the role the rota implies; create an API token
 * (its secret shown once, the same way), revoke one.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { roles } from '../../domain/permissions.ts';
import { incidentRoleLabels } from '../../domain/roles.ts';
import { createToken, listTokens, revokeToken } from '../../services/tokens/tokens.ts';
import {
  inviteRotaPerson,
  type RotaPerson,
  rotaPeopleWithoutUser,
} from '../../services/users/rota-people.ts';
import type { SessionUser } from '../../services/users/sessions.ts';
import {
  type AddedUserView,
  addUser,
  listUsers,
  removeUser,
  setUserRole,
} from '../../services/users/users.ts';
import type { BaseCtx } from '../auth.ts';
import { type Html, html, type Page } from './html.ts';
import { actThenShow, field, noticeOf, personCtx, refusal, sendPage } from './page.ts';
import { options, post, when, words } from './parts.ts';
import { copyButton } from './war-room.ts';

const done = {
  role: 'Role changed.',
  removed: 'Removed; their sessions have ended.',
  revoked: 'Token revoked.',
} as const;

type Done = { Querystring: { done?: string } };
type RefParams = { Params: { ref: string } };

/** A secret shown once, with a way to copy it. */
function secretCard(title: string, secret: string, advice: string): Html {
  return html`<div class="card" role="status"><h2>${title}</h2>
<p>${advice}</p><pre class="preview" id="secret">${secret}</pre>${copyButton('secret')}</div>`;
}

/** The invitation's one-time link, shown on the answer to the form only. */
function invited(added: AddedUserView): Html {
  return secretCard(
    `${added.email} is invited as ${words(added.role)}`,
    added.invitation_url ?? '',
    'Send them this link; it works once, for 24 hours, and is not shown again.',
  );
}

/** Rota entries without a user: they would hold a role on an incident and could not sign in. */
function fromRotas(people: readonly RotaPerson[]): Html | string {
  if (people.length === 0) return '';
  return html`<section class="card"><h2>In the plan's rotas, not yet users</h2>
<p class="muted">They hold incident roles by turn but cannot sign in. Invite each with the role the rota implies; nobody is added until you do.</p>
<ul class="cards">${people.map(
    (p) =>
      html`<li class="card"><h3>${p.email}</h3><p class="muted">${p.rotas
        .map((r) => `${incidentRoleLabels[r]} rota`)
        .join(', ')}</p>${post(
        '/console/users/from-rota',
        `Invite as ${words(p.role)}`,
        html`<input type="hidden" name="email" value="${p.email}">`,
      )}</li>`,
  )}</ul></section>`;
}

export function peopleRoutes(base: BaseCtx) {
  async function users(
    req: FastifyRequest,
    reply: FastifyReply,
    status: number,
    notice: Page['notice'],
    shown?: Html,
  ) {
    const me = req.consoleUser as SessionUser;
    const people = await listUsers(personCtx(base, req));
    const rotaPeople = await rotaPeopleWithoutUser(personCtx(base, req));
    return sendPage(reply, status, {
      title: 'People',
      user: me,
      notice,
      main: html`<h1>People</h1>${shown}${fromRotas(rotaPeople)}
<details class="card"><summary><strong>Invite a person</strong></summary>
<form class="stack" method="post" action="/console/users">
<label>Email <input type="email" name="email" required maxlength="254" autocomplete="off"></label>
<label>Name <input name="name" maxlength="100" autocomplete="off"></label>
<div class="field"><label for="invite-role">Role</label><select id="invite-role" name="role">${options(roles, 'viewer')}</select></div>
<button type="submit">Invite</button></form></details>
<ul class="cards">${people.map(
        (u) => html`<li class="card"><h3>${u.name}</h3><p class="muted">${u.email} · ${words(u.state)}${
          u.state === 'invited' &&
          u.invitation_expires_at &&
          html`, link valid until ${when(u.invitation_expires_at)}`
        }</p>
<div class="actions"><form method="post" action="/console/users/${u.id}/role"><label>Role <select name="role">${options(roles, u.role)}</select></label><button type="submit" class="secondary">Set role</button></form>${
          u.id !== me.id && post(`/console/users/${u.id}/remove`, 'Remove', '', 'secondary')
        }</div></li>`,
      )}</ul>`,
    });
  }

  async function tokens(
    req: FastifyRequest,
    reply: FastifyReply,
    status: number,
    notice: Page['notice'],
    shown?: Html,
  ) {
    const me = req.consoleUser as SessionUser;
    const all = await listTokens(personCtx(base, req));
    return sendPage(reply, status, {
      title: 'API tokens',
      user: me,
      notice,
      main: html`<h1>API tokens</h1>${shown}
<details class="card"><summary><strong>Create a token</strong></summary>
<form class="stack" method="post" action="/console/tokens">
<label>Name <input name="name" required maxlength="100" autocomplete="off"></label>
<div class="field"><label for="token-role">Role</label><select id="token-role" name="role">${options(roles, 'viewer')}</select></div>
<button type="submit">Create</button></form></details>
<ul class="cards">${all.map(
        (
          t,
        ) => html`<li class="card"><h3>${t.name}</h3><p class="muted">${words(t.role)} · ${t.prefix} · by ${t.created_by}, ${when(t.created_at)}
· last used ${when(t.last_used_at)}${t.revoked_at && html` · <strong>revoked</strong> ${when(t.revoked_at)}`}</p>
${t.revoked_at === null && html`<div class="actions">${post(`/console/tokens/${t.id}/revoke`, 'Revoke', '', 'secondary')}</div>`}</li>`,
      )}</ul>`,
    });
  }

  /** A creation answers with the page itself (201) so the secret is never in an address or history entry. */
  async function create(
    run: () => Promise<Html>,
    show: (status: number, notice: Page['notice'], shown?: Html) => Promise<FastifyReply>,
  ) {
    try {
      return show(201, undefined, await run());
    } catch (err) {
      const refused = refusal(err);
      if (refused === null) throw err;
      return show(refused.status, { kind: 'error', text: refused.text });
    }
  }

  return async (app: FastifyInstance) => {
    app.get<Done>('/console/users', async (req, reply) =>
      users(req, reply, 200, noticeOf(done, req.query.done)),
    );
    app.post('/console/users', async (req, reply) => {
      reply.header('referrer-policy', 'no-referrer');
      return create(
        async () => {
          const added = await addUser(personCtx(base, req), {
            email: field(req.body, 'email'),
            role: field(req.body, 'role') as 'viewer',
            ...(field(req.body, 'name').trim() && { name: field(req.body, 'name').trim() }),
          });
          return invited(added);
        },
        (status, notice, shown) => users(req, reply, status, notice, shown),
      );
    });
    app.post('/console/users/from-rota', async (req, reply) => {
      reply.header('referrer-policy', 'no-referrer');
      return create(
        async () => invited(await inviteRotaPerson(personCtx(base, req), field(req.body, 'email'))),
        (status, notice, shown) => users(req, reply, status, notice, shown),
      );
    });
    app.post<RefParams>('/console/users/:ref/role', async (req, reply) =>
      actThenShow(
        reply,
        '/console/users',
        'role',
        () => setUserRole(personCtx(base, req), req.params.ref, field(req.body, 'role') as 'viewer'),
        (status, notice) => users(req, reply, status, notice),
      ),
    );
    app.post<RefParams>('/console/users/:ref/remove', async (req, reply) =>
      actThenShow(
        reply,
        '/console/users',
        'removed',
        () => removeUser(personCtx(base, req), req.params.ref),
        (status, notice) => users(req, reply, status, notice),
      ),
    );

    app.get<Done>('/console/tokens', async (req, reply) =>
      tokens(req, reply, 200, noticeOf(done, req.query.done)),
    );
    app.post('/console/tokens', async (req, reply) =>
      create(
        async () => {
          const made = await createToken(personCtx(base, req), {
            name: field(req.body, 'name'),
            role: field(req.body, 'role') as 'viewer',
          });
          return secretCard(
            `Token ${made.name} created`,
            made.token,
            'Copy it now: it is shown once. Send it as "Authorization: Bearer <token>".',
          );
        },
        (status, notice, shown) => tokens(req, reply, status, notice, shown),
      ),
    );
    app.post<RefParams>('/console/tokens/:ref/revoke', async (req, reply) =>
      actThenShow(
        reply,
        '/console/tokens',
        'revoked',
        () => revokeToken(personCtx(base, req), req.params.ref),
        (status, notice) => tokens(req, reply, status, notice),
      ),
    );
  };
}
