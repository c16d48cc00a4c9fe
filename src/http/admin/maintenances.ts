import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MaintenanceStatus } from '../../domain/maintenances.ts';
import { MoveMaintenanceInput, moveMaintenance } from '../../services/maintenances/move.ts';
import { getMaintenance, listMaintenances } from '../../services/maintenances/queries.ts';
import { ScheduleMaintenanceInput, scheduleMaintenance } from '../../services/maintenances/schedule.ts';
import { Pagination } from '../../services/pagination.ts';
import { MaintenanceView } from '../../services/views.ts';
import { warned, withWarnings, wrappedOrBare } from '../statuspage-body.ts';
import { ignoredOnMaintenances } from '../statuspage-fields.ts';
import { sendPage } from './list.ts';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const ListQuery = Pagination.extend({
  state: z.enum(['upcoming', 'active', 'finished', 'all']).default('all'),
});
const tags = ['maintenances'];
const write = { action: 'maintenance.write' } as const;

const moves: Record<string, { status: MaintenanceStatus; operationId: string; summary: string }> = {
  start: { status: 'in_progress', operationId: 'startMaintenance', summary: 'Start a maintenance now' },
  verify: {
    status: 'verifying',
    operationId: 'verifyMaintenance',
    summary: 'Mark a maintenance as verifying',
  },
  complete: { status: 'completed', operationId: 'completeMaintenance', summary: 'Complete a maintenance' },
  cancel: { status: 'cancelled', operationId: 'cancelMaintenance', summary: 'Cancel a maintenance' },
};

export const maintenanceRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/maintenances',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'listMaintenances',
        summary: 'List maintenances',
        tags,
        querystring: ListQuery,
        response: { 200: z.array(MaintenanceView) },
      },
    },
    async (req, reply) => {
      const { state, ...page } = req.query;
      return sendPage(reply, await listMaintenances(req.ctx.db, page, { state }));
    },
  );

  app.post(
    '/maintenances',
    {
      config: write,
      schema: {
        operationId: 'scheduleMaintenance',
        summary: 'Schedule a maintenance',
        tags,
        body: wrappedOrBare('maintenance', ScheduleMaintenanceInput, { ignored: ignoredOnMaintenances }),
        response: { 201: warned(MaintenanceView) },
      },
    },
    async (req, reply) => {
      const { input, warnings } = req.body;
      return reply.code(201).send(withWarnings(await scheduleMaintenance(req.ctx, input), warnings));
    },
  );

  app.get(
    '/maintenances/:id',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'getMaintenance',
        summary: 'Get a maintenance',
        tags,
        params: IdParams,
        response: { 200: MaintenanceView },
      },
    },
    async (req) => getMaintenance(req.ctx.db, req.params.id),
  );

  for (const [verb, { status, operationId, summary }] of Object.entries(moves)) {
    app.post(
      `/maintenances/:id/${verb}`,
      {
        config: write,
        schema: {
          operationId,
          summary,
          tags,
          params: IdParams,
          body: MoveMaintenanceInput.nullish(),
          response: { 200: MaintenanceView },
        },
      },
      async (req) => moveMaintenance(req.ctx, req.params.id, status, req.body ?? {}),
    );
  }
};
