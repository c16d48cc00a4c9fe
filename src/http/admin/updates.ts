/** Drafts (create, edit, discard), submission, approval, publication, preview, roles and the support brief, under an incident. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireIncident } from '../../services/incidents/queries.ts';
import { currentPlan } from '../../services/plan/current.ts';
import { listRoles, ReassignRolesInput, reassignRoles } from '../../services/plan/roles.ts';
import { ApproveInput, approveUpdate } from '../../services/updates/approve.ts';
import { CreateDraftInput, createDraft } from '../../services/updates/create.ts';
import { discardDraft } from '../../services/updates/discard.ts';
import { EditDraftInput, editDraft } from '../../services/updates/edit.ts';
import { previewUpdate } from '../../services/updates/preview.ts';
import { PublishInput, publishUpdate } from '../../services/updates/publish.ts';
import { RejectInput, rejectUpdate } from '../../services/updates/reject.ts';
import { requireUpdate } from '../../services/updates/rows.ts';
import { SubmitInput, submitDraft } from '../../services/updates/submit.ts';
import { buildSupportBrief, supportBriefText } from '../../services/updates/support-brief.ts';
import { loadDraftView } from '../../services/updates/views.ts';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const UpdateParams = IdParams.extend({ uid: z.string().min(1).max(64) });
const tags = ['incidents'];

export const updateRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/incidents/:id/drafts',
    { config: { action: 'incident.update' }, schema: { tags, params: IdParams, body: CreateDraftInput } },
    async (req, reply) => reply.code(201).send(await createDraft(req.ctx, req.params.id, req.body)),
  );

  app.patch(
    '/incidents/:id/updates/:uid/draft',
    { config: { action: 'incident.update' }, schema: { tags, params: UpdateParams, body: EditDraftInput } },
    async (req) => editDraft(req.ctx, req.params.id, req.params.uid, req.body),
  );

  app.delete(
    '/incidents/:id/updates/:uid/draft',
    { config: { action: 'incident.update' }, schema: { tags, params: UpdateParams } },
    async (req, reply) => {
      await discardDraft(req.ctx, req.params.id, req.params.uid);
      return reply.code(204).send();
    },
  );

  app.post(
    '/incidents/:id/updates/:uid/submit',
    {
      config: { action: 'incident.update' },
      schema: { tags, params: UpdateParams, body: SubmitInput.nullish() },
    },
    async (req) => submitDraft(req.ctx, req.params.id, req.params.uid, req.body ?? {}),
  );

  app.post(
    '/incidents/:id/updates/:uid/approve',
    {
      config: { action: 'update.approve' },
      schema: { tags, params: UpdateParams, body: ApproveInput.nullish() },
    },
    async (req) => approveUpdate(req.ctx, req.params.id, req.params.uid, req.body ?? {}),
  );

  app.post(
    '/incidents/:id/updates/:uid/reject',
    { config: { action: 'update.approve' }, schema: { tags, params: UpdateParams, body: RejectInput } },
    async (req) => rejectUpdate(req.ctx, req.params.id, req.params.uid, req.body),
  );

  app.post(
    '/incidents/:id/updates/:uid/publish',
    {
      config: { action: 'update.publish' },
      schema: { tags, params: UpdateParams, body: PublishInput.nullish() },
    },
    async (req) => publishUpdate(req.ctx, req.params.id, req.params.uid, req.body ?? {}),
  );

  app.get(
    '/incidents/:id/updates/:uid/draft',
    { config: { action: 'read' }, schema: { tags, params: UpdateParams } },
    async (req) => loadDraftView(req.ctx.db, await requireUpdate(req.ctx.db, req.params.id, req.params.uid)),
  );

  app.get(
    '/incidents/:id/updates/:uid/preview',
    { config: { action: 'read' }, schema: { tags, params: UpdateParams } },
    async (req) => previewUpdate(req.ctx.db, req.params.id, req.params.uid),
  );

  app.get(
    '/incidents/:id/roles',
    { config: { action: 'read' }, schema: { tags, params: IdParams } },
    async (req) => {
      await requireIncident(req.ctx.db, req.params.id);
      return listRoles(req.ctx.db, req.params.id);
    },
  );

  app.put(
    '/incidents/:id/roles',
    {
      config: { action: 'incident.assign_roles' },
      schema: { tags, params: IdParams, body: ReassignRolesInput },
    },
    async (req) => reassignRoles(req.ctx, req.params.id, req.body),
  );

  app.get(
    '/incidents/:id/support-brief',
    { config: { action: 'read' }, schema: { tags, params: IdParams } },
    async (req, reply) => {
      const brief = await buildSupportBrief(
        req.ctx,
        req.ctx.db,
        req.params.id,
        await currentPlan(req.ctx.db),
      );
      const accept = String(req.headers.accept ?? '');
      if (/text\/plain/.test(accept) && !/application\/json/.test(accept)) {
        return reply.type('text/plain; charset=utf-8').send(supportBriefText(brief));
      }
      return brief;
    },
  );
};
