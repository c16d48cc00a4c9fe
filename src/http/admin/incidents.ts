import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { DeclareIncidentInput, declareIncident } from '../../services/incidents/declare.ts';
import { PatchIncidentInput, patchIncident } from '../../services/incidents/patch.ts';
import { getIncident, listIncidents } from '../../services/incidents/queries.ts';
import { ResolveIncidentInput, resolveIncident } from '../../services/incidents/resolve.ts';
import { Pagination } from '../../services/pagination.ts';
import { CorrectUpdateInput, correctUpdate } from '../../services/updates/correct.ts';
import { PostUpdateInput, postUpdate } from '../../services/updates/post.ts';
import { listUpdateEdits, requireUpdate, UpdateWithEditsView } from '../../services/updates/rows.ts';
import { IncidentUpdateView, IncidentView, updateView } from '../../services/views.ts';
import { warned, withWarnings, wrappedOrBare } from '../statuspage-body.ts';
import { ignoredOnCorrections, ignoredOnIncidents, ignoredOnUpdates } from '../statuspage-fields.ts';
import { sendPage } from './list.ts';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const UpdateParams = IdParams.extend({ uid: z.string().min(1).max(64) });
const ListQuery = Pagination.extend({
  state: z.enum(['unresolved', 'resolved', 'all']).default('all'),
  q: z.string().max(200).optional(),
});
const tags = ['incidents'];
/** Statuspage schedules maintenance as an incident with these; here that would declare a live one. */
const maintenanceFields = Object.fromEntries(
  ['scheduled_for', 'scheduled_until'].map((name) => [
    name,
    'Crier schedules maintenance apart from incidents: POST /api/v1/maintenances.',
  ]),
);
const incidentBody = { ignored: ignoredOnIncidents, refused: maintenanceFields };

export const incidentRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/incidents',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'listIncidents',
        summary: 'List incidents, newest first',
        tags,
        querystring: ListQuery,
        response: { 200: z.array(IncidentView) },
      },
    },
    async (req, reply) => {
      const { state, q, ...page } = req.query;
      return sendPage(reply, await listIncidents(req.ctx.db, page, { state, ...(q !== undefined && { q }) }));
    },
  );

  app.post(
    '/incidents',
    {
      config: { action: 'incident.declare' },
      schema: {
        operationId: 'declareIncident',
        summary: 'Declare an incident',
        tags,
        body: wrappedOrBare('incident', DeclareIncidentInput, incidentBody),
        response: { 201: warned(IncidentView) },
      },
    },
    async (req, reply) => {
      const { input, warnings } = req.body;
      return reply.code(201).send(withWarnings(await declareIncident(req.ctx, input), warnings));
    },
  );

  app.get(
    '/incidents/:id',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'getIncident',
        summary: 'Get an incident with its timeline',
        tags,
        params: IdParams,
        response: { 200: IncidentView },
      },
    },
    async (req) => getIncident(req.ctx.db, req.params.id),
  );

  app.patch(
    '/incidents/:id',
    {
      config: { action: 'incident.update' },
      schema: {
        operationId: 'updateIncident',
        summary: 'Change an incident (a status, body or components posts an update too)',
        tags,
        params: IdParams,
        body: wrappedOrBare('incident', PatchIncidentInput, incidentBody),
        response: { 200: warned(IncidentView) },
      },
    },
    async (req) => {
      const { input, warnings } = req.body;
      return withWarnings(await patchIncident(req.ctx, req.params.id, input), warnings);
    },
  );

  app.post(
    '/incidents/:id/resolve',
    {
      config: { action: 'incident.resolve' },
      schema: {
        operationId: 'resolveIncident',
        summary: 'Resolve an incident',
        tags,
        params: IdParams,
        body: ResolveIncidentInput.nullish(),
        response: { 200: IncidentView },
      },
    },
    async (req) => resolveIncident(req.ctx, req.params.id, req.body ?? {}),
  );

  app.get(
    '/incidents/:id/updates',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'listIncidentUpdates',
        summary: "List an incident's updates",
        tags,
        params: IdParams,
        response: { 200: z.array(IncidentUpdateView) },
      },
    },
    async (req) => {
      const incident = await getIncident(req.ctx.db, req.params.id);
      return incident.incident_updates;
    },
  );

  app.post(
    '/incidents/:id/updates',
    {
      config: { action: 'incident.update' },
      schema: {
        operationId: 'postIncidentUpdate',
        summary: 'Post an update (through approval when the plan asks for it)',
        tags,
        params: IdParams,
        body: wrappedOrBare('incident_update', PostUpdateInput, { ignored: ignoredOnUpdates }),
        response: { 201: warned(IncidentUpdateView) },
      },
    },
    async (req, reply) => {
      const { input, warnings } = req.body;
      return reply.code(201).send(withWarnings(await postUpdate(req.ctx, req.params.id, input), warnings));
    },
  );

  app.get(
    '/incidents/:id/updates/:uid',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'getIncidentUpdate',
        summary: 'Get an update with its corrections',
        tags,
        params: UpdateParams,
        response: { 200: UpdateWithEditsView },
      },
    },
    async (req) => {
      const row = await requireUpdate(req.ctx.db, req.params.id, req.params.uid);
      return { ...updateView(row), edits: await listUpdateEdits(req.ctx.db, row.id) };
    },
  );

  app.patch(
    '/incidents/:id/updates/:uid',
    {
      config: { action: 'update.edit_published' },
      schema: {
        operationId: 'correctIncidentUpdate',
        summary: 'Correct a published update (kept as an edit record)',
        tags,
        params: UpdateParams,
        body: wrappedOrBare('incident_update', CorrectUpdateInput, { ignored: ignoredOnCorrections }),
        response: { 200: warned(IncidentUpdateView) },
      },
    },
    async (req) => {
      const { input, warnings } = req.body;
      return withWarnings(await correctUpdate(req.ctx, req.params.id, req.params.uid, input), warnings);
    },
  );
};
