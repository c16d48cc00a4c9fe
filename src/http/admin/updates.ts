/** Drafts (create, edit, discard), submission, approval, publication, preview, roles and the support brief, under an incident. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { requireIncident } from '../../services/incidents/queries.ts';
import { currentPlan } from '../../services/plan/current.ts';
import { listRoles, ReassignRolesInput, RoleHolderView, reassignRoles } from '../../services/plan/roles.ts';
import { ApproveInput, approveUpdate } from '../../services/updates/approve.ts';
import { CreateDraftInput, createDraft } from '../../services/updates/create.ts';
import { discardDraft } from '../../services/updates/discard.ts';
import { EditDraftInput, editDraft } from '../../services/updates/edit.ts';
import { PreviewInput, PreviewQuery, previewUpdate, UpdatePreview } from '../../services/updates/preview.ts';
import { PublishInput, publishUpdate } from '../../services/updates/publish.ts';
import { RejectInput, rejectUpdate } from '../../services/updates/reject.ts';
import { requireUpdate } from '../../services/updates/rows.ts';
import { SubmitInput, submitDraft } from '../../services/updates/submit.ts';
import { buildSupportBrief, SupportBrief, supportBriefText } from '../../services/updates/support-brief.ts';
import { DraftView, loadDraftView } from '../../services/updates/views.ts';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const UpdateParams = IdParams.extend({ uid: z.string().min(1).max(64) });
const tags = ['incidents'];
const draft = { 200: DraftView };

export const updateRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/incidents/:id/drafts',
    {
      config: { action: 'incident.update' },
      schema: {
        operationId: 'createDraft',
        summary: "Draft an update from the scenario's template",
        tags,
        params: IdParams,
        body: CreateDraftInput,
        response: { 201: DraftView },
      },
    },
    async (req, reply) => reply.code(201).send(await createDraft(req.ctx, req.params.id, req.body)),
  );

  app.patch(
    '/incidents/:id/updates/:uid/draft',
    {
      config: { action: 'incident.update' },
      schema: {
        operationId: 'editDraft',
        summary: 'Change a draft (back to draft if it was submitted)',
        tags,
        params: UpdateParams,
        body: EditDraftInput,
        response: draft,
      },
    },
    async (req) => editDraft(req.ctx, req.params.id, req.params.uid, req.body),
  );

  app.delete(
    '/incidents/:id/updates/:uid/draft',
    {
      config: { action: 'incident.update' },
      schema: {
        operationId: 'discardDraft',
        summary: 'Discard a draft that was never published',
        tags,
        params: UpdateParams,
        response: { 204: z.null().describe('Discarded.') },
      },
    },
    async (req, reply) => {
      await discardDraft(req.ctx, req.params.id, req.params.uid);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/incidents/:id/updates/:uid/submit',
    {
      config: { action: 'incident.update' },
      schema: {
        operationId: 'submitDraft',
        summary: 'Submit a draft for approval (or publish it when none is needed)',
        tags,
        params: UpdateParams,
        body: SubmitInput.nullish(),
        response: draft,
      },
    },
    async (req) => submitDraft(req.ctx, req.params.id, req.params.uid, req.body ?? {}),
  );

  app.post(
    '/incidents/:id/updates/:uid/approve',
    {
      config: { action: 'update.approve' },
      schema: {
        operationId: 'approveUpdate',
        summary: 'Approve a submitted update',
        tags,
        params: UpdateParams,
        body: ApproveInput.nullish(),
        response: draft,
      },
    },
    async (req) => approveUpdate(req.ctx, req.params.id, req.params.uid, req.body ?? {}),
  );

  app.post(
    '/incidents/:id/updates/:uid/reject',
    {
      config: { action: 'update.approve' },
      schema: {
        operationId: 'rejectUpdate',
        summary: 'Reject a submitted update, with a comment',
        tags,
        params: UpdateParams,
        body: RejectInput,
        response: draft,
      },
    },
    async (req) => rejectUpdate(req.ctx, req.params.id, req.params.uid, req.body),
  );

  app.post(
    '/incidents/:id/updates/:uid/publish',
    {
      config: { action: 'update.publish' },
      schema: {
        operationId: 'publishUpdate',
        summary: 'Publish an approved update',
        tags,
        params: UpdateParams,
        body: PublishInput.nullish(),
        response: draft,
      },
    },
    async (req) => publishUpdate(req.ctx, req.params.id, req.params.uid, req.body ?? {}),
  );

  app.get(
    '/incidents/:id/updates/:uid/draft',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'getDraft',
        summary: 'Get an update with its lint, variants and approval decisions',
        tags,
        params: UpdateParams,
        response: draft,
      },
    },
    async (req) => loadDraftView(req.ctx.db, await requireUpdate(req.ctx.db, req.params.id, req.params.uid)),
  );

  app.get(
    '/incidents/:id/updates/:uid/preview',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'previewUpdate',
        summary: 'How an update reads on each channel it goes out on, in one of its languages',
        tags,
        params: UpdateParams,
        querystring: PreviewQuery,
        response: { 200: UpdatePreview },
      },
    },
    async (req) => previewUpdate(req.ctx, req.params.id, req.params.uid, req.query),
  );

  app.post(
    '/incidents/:id/updates/:uid/preview',
    {
      // It saves nothing, but only someone who may write the draft's words types them.
      config: { action: 'incident.update' },
      schema: {
        operationId: 'previewUpdateText',
        summary: 'How an update would read with other words, without saving them',
        tags,
        params: UpdateParams,
        body: PreviewInput,
        response: { 200: UpdatePreview },
      },
    },
    async (req) => previewUpdate(req.ctx, req.params.id, req.params.uid, req.body),
  );

  app.get(
    '/incidents/:id/roles',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'listIncidentRoles',
        summary: "Who holds the incident's roles",
        tags,
        params: IdParams,
        response: { 200: z.array(RoleHolderView) },
      },
    },
    async (req) => {
      await requireIncident(req.ctx.db, req.params.id);
      return listRoles(req.ctx.db, req.params.id);
    },
  );

  app.put(
    '/incidents/:id/roles',
    {
      config: { action: 'incident.assign_roles' },
      schema: {
        operationId: 'reassignIncidentRoles',
        summary: "Reassign the incident's roles",
        tags,
        params: IdParams,
        body: ReassignRolesInput,
        response: { 200: z.array(RoleHolderView) },
      },
    },
    async (req) => reassignRoles(req.ctx, req.params.id, req.body),
  );

  app.get(
    '/incidents/:id/support-brief',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'getSupportBrief',
        summary: 'The support brief: a ready reply, what is affected, when the next update is due',
        tags,
        params: IdParams,
        response: {
          200: {
            description: 'The brief as JSON, or as text with `Accept: text/plain`.',
            content: {
              'application/json': { schema: SupportBrief },
              'text/plain': { schema: z.string() },
            },
          },
        },
      },
    },
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
