import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DeclareIncidentInput, declareIncident } from '../../services/incidents/declare.ts';
import { PatchIncidentInput, patchIncident } from '../../services/incidents/patch.ts';
import { getIncident, listIncidents } from '../../services/incidents/queries.ts';
import { ResolveIncidentInput, resolveIncident } from '../../services/incidents/resolve.ts';
import { Pagination } from '../../services/pagination.ts';
import { CorrectUpdateInput, correctUpdate } from '../../services/updates/correct.ts';
import { PostUpdateInput, postUpdate } from '../../services/updates/post.ts';
import { listUpdateEdits, requireUpdate } from '../../services/updates/rows.ts';
import { updateView } from '../../services/views.ts';
import { wrappedOrBare } from '../statuspage-body.ts';
import { sendPage } from './list.ts';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const UpdateParams = IdParams.extend({ uid: z.string().min(1).max(64) });
const ListQuery = Pagination.extend({
  state: z.enum(['unresolved', 'resolved', 'all']).default('all'),
  q: z.string().max(200).optional(),
});
const tags = ['incidents'];

export const incidentRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/incidents',
    { config: { action: 'read' }, schema: { tags, querystring: ListQuery } },
    async (req, reply) => {
      const { state, q, ...page } = req.query;
      return sendPage(reply, await listIncidents(req.ctx.db, page, { state, ...(q !== undefined && { q }) }));
    },
  );

  app.post(
    '/incidents',
    {
      config: { action: 'incident.declare' },
      schema: { tags, body: wrappedOrBare('incident', DeclareIncidentInput) },
    },
    async (req, reply) => reply.code(201).send(await declareIncident(req.ctx, req.body)),
  );

  app.get('/incidents/:id', { config: { action: 'read' }, schema: { tags, params: IdParams } }, async (req) =>
    getIncident(req.ctx.db, req.params.id),
  );

  app.patch(
    '/incidents/:id',
    {
      config: { action: 'incident.update' },
      schema: { tags, params: IdParams, body: wrappedOrBare('incident', PatchIncidentInput) },
    },
    async (req) => patchIncident(req.ctx, req.params.id, req.body),
  );

  app.post(
    '/incidents/:id/resolve',
    {
      config: { action: 'incident.resolve' },
      schema: { tags, params: IdParams, body: ResolveIncidentInput.nullish() },
    },
    async (req) => resolveIncident(req.ctx, req.params.id, req.body ?? {}),
  );

  app.get(
    '/incidents/:id/updates',
    { config: { action: 'read' }, schema: { tags, params: IdParams } },
    async (req) => {
      const incident = await getIncident(req.ctx.db, req.params.id);
      return incident.incident_updates;
    },
  );

  app.post(
    '/incidents/:id/updates',
    {
      config: { action: 'incident.update' },
      schema: { tags, params: IdParams, body: wrappedOrBare('incident_update', PostUpdateInput) },
    },
    async (req, reply) => reply.code(201).send(await postUpdate(req.ctx, req.params.id, req.body)),
  );

  app.get(
    '/incidents/:id/updates/:uid',
    { config: { action: 'read' }, schema: { tags, params: UpdateParams } },
    async (req) => {
      const row = await requireUpdate(req.ctx.db, req.params.id, req.params.uid);
      return { ...updateView(row), edits: await listUpdateEdits(req.ctx.db, row.id) };
    },
  );

  app.patch(
    '/incidents/:id/updates/:uid',
    {
      config: { action: 'update.edit_published' },
      schema: { tags, params: UpdateParams, body: wrappedOrBare('incident_update', CorrectUpdateInput) },
    },
    async (req) => correctUpdate(req.ctx, req.params.id, req.params.uid, req.body),
  );
};
