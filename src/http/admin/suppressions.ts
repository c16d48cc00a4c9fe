/** Admin API for suppressed contacts: who gets nothing more and why, and clearing one. */
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  clearSuppression,
  listSuppressions,
  SuppressionQuery,
  SuppressionView,
} from '../../services/suppressions/suppressions.ts';
import { sendPage } from './list.ts';

const IdParams = z.object({ id: z.string().min(1).max(64) });
const tags = ['subscribers'];

export const suppressionRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get(
    '/suppressions',
    {
      config: { action: 'subscriber.read' },
      schema: {
        operationId: 'listSuppressions',
        summary: 'List suppressed contacts (bounced, complained, undeliverable)',
        tags,
        querystring: SuppressionQuery,
        response: { 200: z.array(SuppressionView) },
      },
    },
    async (req, reply) => sendPage(reply, await listSuppressions(req.ctx, req.query)),
  );

  app.delete(
    '/suppressions/:id',
    {
      config: { action: 'suppression.clear' },
      schema: {
        operationId: 'clearSuppression',
        summary: 'Clear a suppression: its contact hears again',
        tags,
        params: IdParams,
        response: { 200: z.object({ restored: z.number().int() }) },
      },
    },
    async (req) => clearSuppression(req.ctx, req.params.id),
  );
};
