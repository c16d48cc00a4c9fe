import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { IncidentScores, incidentScores } from '../../services/review/scores.ts';

const IdParams = z.object({ id: z.string().min(1).max(64) });

export const reviewRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/incidents/:id/scores',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'getIncidentScores',
        summary: 'How the incident’s communication measured against the plan’s targets',
        description:
          'Detection to declaration, first internal and first external notice (against `first_external_within`), approval waits, cadence per audience, the longest silence, lint overrides, fallbacks and how fast the first notice reached its subscribers. A drill’s spans are in plan time.',
        tags: ['review'],
        params: IdParams,
        response: { 200: IncidentScores },
      },
    },
    async (req) => incidentScores(req.ctx, req.params.id),
  );
};
