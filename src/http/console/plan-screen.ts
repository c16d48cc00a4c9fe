/**
 * The plan screen: the version in force and where it came from, every
 * version with what it changed (values only for those who may apply a
 * plan, since channel settings can hold secrets), and check results: the
 * plan in force's warnings, and a pasted plan checked without applying it.
 * Those who may apply a plan apply a pasted one, or an earlier version's
 * text again (a roll-back), through the same verb as `PUT /api/v1/plan`:
 * a plan that fails its check is refused with the check's findings.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CrierError } from '../../domain/errors.ts';
import { can } from '../../domain/permissions.ts';
import type { PlanChange } from '../../plan/diff.ts';
import { applyPlanVersion } from '../../services/plan/apply-version.ts';
import { type ApplyResult, applyPlan } from '../../services/plan/current.ts';
import { checkPlan, readCurrentPlan, readPlanVersions } from '../../services/plan/read.ts';
import type { SessionUser } from '../../services/users/sessions.ts';
import type { BaseCtx } from '../auth.ts';
import { type Html, html, type Page } from './html.ts';
import { field, noticeOf, personCtx, refusal, sendPage } from './page.ts';
import { post, when } from './parts.ts';

const done = {
  applied: 'Applied: it is the version in force now.',
  unchanged: 'That plan is the one in force already: no new version.',
} as const;

type Done = { Querystring: { done?: string } };

interface Problem {
  message: string;
  path?: string | undefined;
  line?: number | undefined;
}

function value(v: unknown): string {
  return v === undefined ? '' : JSON.stringify(v);
}

function changes(list: readonly PlanChange[]): Html {
  if (list.length === 0) return html`<p class="muted">No change.</p>`;
  return html`<ul>${list.map(
    (c) =>
      html`<li><code>${c.path}</code> ${c.kind}${
        (c.before !== undefined || c.after !== undefined) &&
        html`: <code>${value(c.before)}</code> → <code>${value(c.after)}</code>`
      }</li>`,
  )}</ul>`;
}

function problems(title: string, list: readonly Problem[]): Html {
  return html`<h3>${title}</h3>${
    list.length === 0
      ? html`<p class="muted">None.</p>`
      : html`<ul>${list.map(
          (p) =>
            html`<li>${p.line !== undefined && html`line ${p.line}: `}${p.path && html`<code>${p.path}</code> `}${p.message}</li>`,
        )}</ul>`
  }`;
}

export function planRoutes(base: BaseCtx, takeUpPlan?: () => Promise<void>) {
  async function show(
    req: FastifyRequest,
    reply: FastifyReply,
    status: number,
    notice: Page['notice'],
    checked?: Html,
  ) {
    const user = req.consoleUser as SessionUser;
    const ctx = personCtx(base, req);
    const [current, versions] = await Promise.all([readCurrentPlan(ctx), readPlanVersions(ctx)]);
    const applier = can(user.role, 'plan.apply');
    const source = 'source' in current && typeof current.source === 'string' ? current.source : null;
    const inForce = source !== null && applier ? checkPlan(ctx, { source }) : null;
    const latest = versions[0];
    return sendPage(reply, status, {
      title: 'Plan',
      user,
      notice,
      live: { kinds: ['plan'] },
      main: html`<h1>Plan</h1>
${
  latest === undefined
    ? html`<p class="muted">No plan applied yet: set CRIER_PLAN, or apply one with <code>crier plan apply</code>.</p>`
    : html`<dl class="facts"><dt>In force</dt><dd>version ${latest.version}</dd>
<dt>Applied</dt><dd>${when(latest.applied_at)} by ${latest.applied_by}</dd>
<dt>From</dt><dd>${latest.applied_via === 'file' ? 'the plan file' : 'the API'}${latest.file?.path && html` (${latest.file.path})`}</dd></dl>`
}
${inForce && problems('Warnings for the plan in force', inForce.warnings)}
${source !== null && html`<details class="card"><summary><strong>Its source</strong></summary><pre class="preview">${source}</pre></details>`}
${
  applier &&
  html`<h2>Check or apply a plan</h2>${checked}<form class="stack" method="post" action="/console/plan/check">
<label>Plan (YAML) <textarea name="source" required maxlength="60000"></textarea></label>
<div class="actions"><button type="submit" class="secondary">Check it</button>
<button type="submit" formaction="/console/plan/apply">Apply it</button></div></form>`
}
<h2>Versions</h2>
${
  versions.length === 0
    ? html`<p class="muted">None.</p>`
    : html`<ul class="cards">${versions.map(
        (v) =>
          html`<li class="card"><h3>Version ${v.version}</h3><p class="muted">${when(v.applied_at)} by ${v.applied_by}, from ${
            v.applied_via === 'file' ? 'the plan file' : 'the API'
          }</p>${changes(v.changes)}${
            applier &&
            v.version !== latest?.version &&
            post(`/console/plan/versions/${v.version}/apply`, 'Apply this version', '', 'secondary')
          }</li>`,
      )}</ul>`
}`,
    });
  }

  return async (app: FastifyInstance) => {
    app.get<Done>('/console/plan', async (req, reply) =>
      show(req, reply, 200, noticeOf(done, req.query.done)),
    );

    /** Applies, then back to the screen; a plan that fails its check is refused with the findings. */
    const apply = async (req: FastifyRequest, reply: FastifyReply, run: () => Promise<ApplyResult>) => {
      try {
        const result = await run();
        if (!result.unchanged) await takeUpPlan?.();
        return reply.redirect(`/console/plan?done=${result.unchanged ? 'unchanged' : 'applied'}`, 303);
      } catch (err) {
        if (err instanceof CrierError && err.code === 'plan_invalid') {
          const found = (err.details as { problems?: Problem[] } | undefined)?.problems ?? [];
          return show(
            req,
            reply,
            422,
            { kind: 'error', text: `Not applied: ${err.message}` },
            problems('Problems', found),
          );
        }
        const refused = refusal(err);
        if (refused === null) throw err;
        return show(req, reply, refused.status, { kind: 'error', text: refused.text });
      }
    };
    app.post('/console/plan/apply', async (req, reply) =>
      apply(req, reply, () => applyPlan(personCtx(base, req), { source: field(req.body, 'source') })),
    );
    app.post<{ Params: { version: string } }>('/console/plan/versions/:version/apply', async (req, reply) =>
      apply(req, reply, () => applyPlanVersion(personCtx(base, req), req.params.version)),
    );
    app.post('/console/plan/check', async (req, reply) => {
      try {
        const result = checkPlan(personCtx(base, req), { source: field(req.body, 'source') });
        const verdict = html`<p class="notice ${result.ok ? 'ok' : 'error'}" role="status">${
          result.ok ? 'This plan is valid.' : 'This plan has problems.'
        }</p>${problems('Problems', result.problems)}${problems('Warnings', result.warnings)}`;
        return show(req, reply, 200, undefined, verdict);
      } catch (err) {
        const refused = refusal(err);
        if (refused === null) throw err;
        return show(req, reply, refused.status, { kind: 'error', text: refused.text });
      }
    });
  };
}
