/** The team's feedback on an incident's communication, and what customers said of its updates. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { FeedbackSummary, feedbackSummary } from '../../services/feedback/summary.ts';
import { giveTeamFeedback, TeamFeedbackInput } from '../../services/feedback/team.ts';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const tags = ['feedback'];

export const feedbackRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/incidents/:id/feedback',
    {
      config: { action: 'read' },
      schema: {
        operationId: 'getIncidentFeedback',
        summary: 'What customers and the team said of an incident’s communication',
        description:
          'Customer votes per update (helpful or not, with comments, never published), the team’s ratings and the support tickets counted.',
        tags,
        params: IdParams,
        response: { 200: FeedbackSummary },
      },
    },
    async (req) => feedbackSummary(req.ctx, req.params.id),
  );

  app.post(
    '/incidents/:id/feedback',
    {
      config: { action: 'incident.feedback' },
      schema: {
        operationId: 'giveIncidentFeedback',
        summary: 'Rate an incident’s communication, or report its support tickets',
        description:
          'A rating from 1 to 5 with a comment, a support ticket count, or both. A helpdesk pushes its running ticket count with a token of its own: the latest count of each reporter stands.',
        tags,
        params: IdParams,
        body: TeamFeedbackInput,
        response: { 201: FeedbackSummary },
      },
    },
    async (req, reply) => reply.code(201).send(await giveTeamFeedback(req.ctx, req.params.id, req.body)),
  );
};
