import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { incidentRunbookRuns, RunbookRunView } from '../../services/runbooks/progress.ts';

export const runbookRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/incidents/:id/runbook-runs',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'listIncidentRunbookRuns',
        summary: 'The runbook runs that acted on an incident: their alerts and each step’s progress',
        tags: ['incidents'],
        params: z.object({ id: z.string().min(1).max(64) }),
        response: { 200: z.array(RunbookRunView) },
      },
    },
    async (req) => incidentRunbookRuns(req.ctx, req.params.id),
  );
};
