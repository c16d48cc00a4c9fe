/**
 * The console's incident screens: Now (open incidents, drafts waiting for
 * approval, declare) and one incident (its drafts with a preview per
 * channel; edit, submit, approve, reject, publish, discard; its timeline).
 * Every action calls the same service verb as the admin API, as the
 * signed-in person, then redirects back (post/redirect/get); a refusal is
 * shown on the page it came from, with nothing changed.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PageLanguage } from '../../domain/languages.ts';
import { planLanguages } from '../../plan/schema.ts';
import { listComponents } from '../../services/components/queries.ts';
import { setIncidentComponents } from '../../services/incidents/components.ts';
import { declareIncident } from '../../services/incidents/declare.ts';
import { deliveryFailures, requireIncidentDelivery } from '../../services/incidents/delivery-failures.ts';
import { deadDeliveries, deliveryProgress } from '../../services/incidents/delivery-progress.ts';
import { editIncident } from '../../services/incidents/edit.ts';
import { getIncident, listIncidents } from '../../services/incidents/queries.ts';
import { incidentTimeline } from '../../services/incidents/timeline.ts';
import { currentPlan } from '../../services/plan/current.ts';
import { reassignRoles } from '../../services/plan/roles.ts';
import { incidentSentiment } from '../../services/sentiment/report.ts';
import { replayDeliveries, replayDelivery } from '../../services/subscribers/manage.ts';
import { type UpdateDeliveryCounts, updateDeliveryCounts } from '../../services/subscribers/queries.ts';
import { approveUpdate } from '../../services/updates/approve.ts';
import { createDraft } from '../../services/updates/create.ts';
import { discardDraft } from '../../services/updates/discard.ts';
import { editDraft } from '../../services/updates/edit.ts';
import { mayOverrideLint } from '../../services/updates/gate.ts';
import { previewUpdate } from '../../services/updates/preview.ts';
import { publishUpdate } from '../../services/updates/publish.ts';
import { rejectUpdate } from '../../services/updates/reject.ts';
import { requireUpdate } from '../../services/updates/rows.ts';
import { submitDraft } from '../../services/updates/submit.ts';
import { buildSupportBrief, supportBriefText } from '../../services/updates/support-brief.ts';
import { loadDraftView } from '../../services/updates/views.ts';
import type { SessionUser } from '../../services/users/sessions.ts';
import { translationsOf } from '../../store/json.ts';
import type { BaseCtx } from '../auth.ts';
import { previewPanel } from './composer.ts';
import { html, type Page } from './html.ts';
import { declareInput, draftInput, translationsInput } from './incident-forms.ts';
import { incidentPage } from './incident-page.ts';
import { field, personCtx, refusal, sendPage } from './page.ts';
import { utcInstant } from './parts.ts';
import { nowPage, type PlanChoices } from './views.ts';

/** What the page says after an action: a fixed text per action, so nothing from the address is echoed. */
const done = {
  declared: 'Incident declared.',
  drafted: 'Draft created.',
  saved: 'Draft saved.',
  submitted: 'Submitted.',
  approved: 'Approved.',
  rejected: 'Rejected; the author sees your comment.',
  published: 'Published.',
  discarded: 'Draft discarded.',
  reassigned: 'Roles reassigned; each new holder is told.',
  eta: 'ETA saved.',
  components: 'Component statuses set.',
  replayed: 'Failed deliveries queued again.',
  replayed_one: 'The delivery is queued again.',
} as const;
type Done = keyof typeof done;

type IdParams = { Params: { id: string }; Querystring: { done?: string } };
type UpdateParams = { Params: { id: string; uid: string } };

function noticeFor(query: { done?: string }): Page['notice'] {
  const key = query.done;
  return key !== undefined && key in done ? { kind: 'ok', text: done[key as Done] } : undefined;
}

async function planChoices(base: BaseCtx): Promise<PlanChoices> {
  const plan = await currentPlan(base.db);
  return {
    scenarios: Object.keys(plan?.scenarios ?? {}),
    severities: Object.keys(plan?.severities ?? {}),
    audiences: Object.keys(plan?.audiences ?? {}).filter((a) => a !== 'internal'),
    languages: planLanguages(plan),
  };
}

/** The languages besides the page's that the plan writes messages in. */
async function otherLanguages(base: BaseCtx): Promise<PageLanguage[]> {
  return planLanguages(await currentPlan(base.db)).slice(1);
}

/** The edit form's words in the other languages, keeping the variants of those left as they were. */
async function typedTranslations(base: BaseCtx, incidentId: string, updateId: string, body: unknown) {
  const languages = await otherLanguages(base);
  if (languages.length === 0) return {};
  const row = await requireUpdate(base.db, incidentId, updateId);
  return { translations: translationsInput(body, languages, translationsOf(row)) };
}

export function incidentRoutes(base: BaseCtx) {
  async function now(req: FastifyRequest, reply: FastifyReply, status: number, notice: Page['notice']) {
    const user = req.consoleUser as SessionUser;
    const open = await listIncidents(base.db, { page: 1, per_page: 100 }, { state: 'unresolved' });
    const components = (await listComponents(base.db)).map((c) => ({ id: c.id, name: c.name }));
    return sendPage(reply, status, {
      title: 'Now',
      user,
      notice,
      now: base.clock.now(),
      live: { kinds: ['incident', 'component', 'plan', 'delivery'] },
      main: nowPage(
        user.role,
        open.items,
        await planChoices(base),
        components,
        base.clock.now(),
        await deadDeliveries(base.db),
      ),
    });
  }

  async function incident(
    req: FastifyRequest,
    reply: FastifyReply,
    id: string,
    status: number,
    notice: Page['notice'],
  ) {
    const user = req.consoleUser as SessionUser;
    const view = await getIncident(base.db, id);
    const drafts = [];
    for (const u of view.incident_updates) {
      if (u.state === 'published') continue;
      const row = await requireUpdate(base.db, id, u.id);
      drafts.push({
        draft: await loadDraftView(base.db, row),
        preview: await previewUpdate(personCtx(base, req), id, u.id),
      });
    }
    const plan = await planChoices(base);
    const brief = supportBriefText(await buildSupportBrief(base, base.db, id, await currentPlan(base.db)));
    const deliveries: Record<string, UpdateDeliveryCounts> = {};
    for (const u of view.incident_updates.filter((x) => x.state === 'published').slice(0, 20)) {
      deliveries[u.id] = await updateDeliveryCounts(base.db, u.id);
    }
    const failing = Object.values(deliveries)
      .filter((c) => (c.by_state.failed ?? 0) + (c.by_state.dead ?? 0) > 0)
      .map((c) => c.update_id);
    return sendPage(reply, status, {
      title: view.name,
      user,
      notice,
      now: base.clock.now(),
      live: {
        kinds: ['incident', 'component', 'plan', 'delivery'],
        subject: id,
        progress: await deliveryProgress(base.db, id),
      },
      main: incidentPage({ role: user.role, actor: `user:${user.email}` }, view, drafts, plan, {
        brief,
        deliveries,
        failures: await deliveryFailures(base.db, id, failing),
        timeline: await incidentTimeline(base.db, id),
        now: base.clock.now(),
        mayOverride: await mayOverrideLint(personCtx(base, req), id),
        sentiment: await incidentSentiment(personCtx(base, req), id),
      }),
    });
  }

  /** Runs an action, then back to the incident with its notice; or the same page with the refusal. */
  async function act(
    req: FastifyRequest,
    reply: FastifyReply,
    id: string,
    key: Done,
    run: () => Promise<unknown>,
  ) {
    try {
      await run();
    } catch (err) {
      const refused = refusal(err);
      if (refused === null) throw err;
      return incident(req, reply, id, refused.status, { kind: 'error', text: refused.text });
    }
    return reply.redirect(`/console/incidents/${encodeURIComponent(id)}?done=${key}`, 303);
  }

  return async (app: FastifyInstance) => {
    app.get<{ Querystring: { done?: string } }>('/console', async (req, reply) =>
      now(req, reply, 200, noticeFor(req.query)),
    );

    app.post('/console/incidents', async (req, reply) => {
      try {
        const declared = await declareIncident(personCtx(base, req), declareInput(req.body));
        return reply.redirect(`/console/incidents/${encodeURIComponent(declared.id)}?done=declared`, 303);
      } catch (err) {
        const refused = refusal(err);
        if (refused === null) throw err;
        return now(req, reply, refused.status, { kind: 'error', text: refused.text });
      }
    });

    app.get<IdParams>('/console/incidents/:id', async (req, reply) =>
      incident(req, reply, req.params.id, 200, noticeFor(req.query)),
    );

    app.post('/console/deliveries/replay', async (req, reply) => {
      try {
        await replayDeliveries(personCtx(base, req), { all: true });
      } catch (err) {
        const refused = refusal(err);
        if (refused === null) throw err;
        return now(req, reply, refused.status, { kind: 'error', text: refused.text });
      }
      return reply.redirect('/console?done=replayed', 303);
    });

    app.post<IdParams>('/console/incidents/:id/drafts', async (req, reply) =>
      act(req, reply, req.params.id, 'drafted', async () =>
        createDraft(personCtx(base, req), req.params.id, draftInput(req.body, await otherLanguages(base))),
      ),
    );

    const update = (path: string, key: Done, run: (req: FastifyRequest<UpdateParams>) => Promise<unknown>) =>
      app.post<UpdateParams>(`/console/incidents/:id/updates/:uid/${path}`, async (req, reply) =>
        act(req, reply, req.params.id, key, () => run(req)),
      );

    app.post<IdParams>('/console/incidents/:id/roles', async (req, reply) => {
      const current = await getIncident(base.db, req.params.id);
      // Only the roles whose holder changed, so an untouched field reassigns nothing.
      const change = Object.fromEntries(
        (['incident_lead', 'comms_lead', 'support_lead'] as const)
          .map((r) => [r, field(req.body, r).trim()] as const)
          .filter(([r, v]) => v !== '' && v !== (current.roles[r] ?? '')),
      );
      return act(req, reply, req.params.id, 'reassigned', () =>
        reassignRoles(personCtx(base, req), req.params.id, change),
      );
    });

    app.post<IdParams>('/console/incidents/:id/eta', async (req, reply) => {
      const typed = field(req.body, 'eta').trim();
      const eta = typed === '' ? null : utcInstant(typed);
      return act(req, reply, req.params.id, 'eta', () =>
        editIncident(personCtx(base, req), req.params.id, { eta }),
      );
    });

    app.post<IdParams>('/console/incidents/:id/components', async (req, reply) => {
      const body = (req.body ?? {}) as Record<string, unknown>;
      const components = Object.fromEntries(
        Object.entries(body)
          .filter(([k, v]) => k.startsWith('status:') && typeof v === 'string')
          .map(([k, v]) => [k.slice('status:'.length), v as 'partial_outage']),
      );
      return act(req, reply, req.params.id, 'components', () =>
        setIncidentComponents(personCtx(base, req), req.params.id, { components }),
      );
    });

    // The composer's live preview: the words being typed, rendered and linted as submitting would; nothing saved.
    app.post<UpdateParams>('/console/incidents/:id/updates/:uid/preview', async (req, reply) => {
      const fragment = (status: number, body: ReturnType<typeof html>) =>
        reply
          .code(status)
          .header('cache-control', 'no-store')
          .type('text/html; charset=utf-8')
          .send(body.value);
      try {
        const preview = await previewUpdate(personCtx(base, req), req.params.id, req.params.uid, {
          body: field(req.body, 'body'),
        });
        return fragment(200, previewPanel(preview));
      } catch (err) {
        const refused = refusal(err);
        if (refused === null) throw err;
        return fragment(refused.status, html`<p class="notice error" role="alert">${refused.text}</p>`);
      }
    });

    app.post<{ Params: { id: string; did: string } }>(
      '/console/incidents/:id/deliveries/:did/replay',
      async (req, reply) =>
        act(req, reply, req.params.id, 'replayed_one', async () => {
          await requireIncidentDelivery(base.db, req.params.id, req.params.did);
          return replayDelivery(personCtx(base, req), req.params.did);
        }),
    );

    update('replay', 'replayed', (req) =>
      replayDeliveries(personCtx(base, req), { incident_id: req.params.id, update_id: req.params.uid }),
    );
    update('edit', 'saved', async (req) =>
      editDraft(personCtx(base, req), req.params.id, req.params.uid, {
        body: field(req.body, 'body'),
        ...(await typedTranslations(base, req.params.id, req.params.uid, req.body)),
      }),
    );
    update('submit', 'submitted', (req) => {
      const reason = field(req.body, 'lint_override').trim();
      return submitDraft(
        personCtx(base, req),
        req.params.id,
        req.params.uid,
        reason ? { lint_override: { reason } } : {},
      );
    });
    update('approve', 'approved', (req) =>
      approveUpdate(personCtx(base, req), req.params.id, req.params.uid, {}),
    );
    update('reject', 'rejected', (req) =>
      rejectUpdate(personCtx(base, req), req.params.id, req.params.uid, {
        comment: field(req.body, 'comment'),
      }),
    );
    update('publish', 'published', (req) =>
      publishUpdate(personCtx(base, req), req.params.id, req.params.uid, {}),
    );
    update('discard', 'discarded', (req) =>
      discardDraft(personCtx(base, req), req.params.id, req.params.uid),
    );
  };
}
