import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { MaintenanceStatus } from '../../domain/maintenances.ts';
import { MoveMaintenanceInput, moveMaintenance } from '../../services/maintenances/move.ts';
import { getMaintenance, listMaintenances } from '../../services/maintenances/queries.ts';
import { ScheduleMaintenanceInput, scheduleMaintenance } from '../../services/maintenances/schedule.ts';
import { Pagination } from '../../services/pagination.ts';
import { wrappedOrBare } from '../statuspage-body.ts';
import { sendPage } from './list.ts';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const ListQuery = Pagination.extend({
  state: z.enum(['upcoming', 'active', 'finished', 'all']).default('all'),
});
const tags = ['maintenances'];
const write = { action: 'maintenance.write' } as const;

const moves: Record<string, MaintenanceStatus> = {
  start: 'in_progress',
  verify: 'verifying',
  complete: 'completed',
  cancel: 'cancelled',
};

export const maintenanceRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/maintenances',
    { config: { action: 'read' }, schema: { tags, querystring: ListQuery } },
    async (req, reply) => {
      const { state, ...page } = req.query;
      return sendPage(reply, await listMaintenances(req.ctx.db, page, { state }));
    },
  );

  app.post(
    '/maintenances',
    { config: write, schema: { tags, body: wrappedOrBare('maintenance', ScheduleMaintenanceInput) } },
    async (req, reply) => reply.code(201).send(await scheduleMaintenance(req.ctx, req.body)),
  );

  app.get(
    '/maintenances/:id',
    { config: { action: 'read' }, schema: { tags, params: IdParams } },
    async (req) => getMaintenance(req.ctx.db, req.params.id),
  );

  for (const [verb, status] of Object.entries(moves)) {
    app.post(
      `/maintenances/:id/${verb}`,
      { config: write, schema: { tags, params: IdParams, body: MoveMaintenanceInput.nullish() } },
      async (req) => moveMaintenance(req.ctx, req.params.id, status, req.body ?? {}),
    );
  }
};
