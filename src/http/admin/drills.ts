import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { StartDrillInput, startDrill } from '../../services/drills/start.ts';
import { IncidentView } from '../../services/views.ts';

const tags = ['drills'];

export const drillRoutes: FastifyPluginAsyncZod = async (app) => {
  app.post(
    '/drills',
    {
      config: { action: 'incident.declare' },
      schema: {
        operationId: 'startDrill',
        summary: 'Start a drill of one of the plan’s scenarios',
        description:
          'An incident marked as a drill: it runs through the real plan, its messages go only to the plan’s drill audience marked [DRILL], and its component changes are drill state.',
        tags,
        body: StartDrillInput,
        response: { 201: IncidentView },
      },
    },
    async (req, reply) => reply.code(201).send(await startDrill(req.ctx, req.body)),
  );
};
