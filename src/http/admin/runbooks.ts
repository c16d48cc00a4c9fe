import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { incidentRunbookRuns, RunbookRunView } from '../../services/runbooks/progress.ts';
import { retryRunbookStep, stepIdPattern } from '../../services/runbooks/retry.ts';

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
  app.post(
    '/incidents/:id/runbook-runs/:run/steps/:step/retry',
    {
      config: { action: 'delivery.replay' },
      schema: {
        operationId: 'retryRunbookStep',
        summary:
          'Run a failed runbook step again (one refused, or whose retries ran out); asking again while it waits changes nothing',
        tags: ['incidents'],
        params: z.object({
          id: z.string().min(1).max(64),
          run: z.string().min(1).max(64),
          step: z.string().regex(stepIdPattern).describe('The step’s id in the run’s progress (`0.do.2`).'),
        }),
        body: z.strictObject({}).nullish(),
        response: { 200: RunbookRunView },
      },
    },
    async (req) => retryRunbookStep(req.ctx, req.params.id, req.params.run, req.params.step),
  );
};
