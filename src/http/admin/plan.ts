import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { planJsonSchema } from '../../plan/json-schema.ts';
import { readPlan } from '../../plan/load.ts';
import {
  ApplyPlanInput,
  applyPlan,
  getCurrentPlanView,
  listPlanVersions,
} from '../../services/plan/current.ts';

const tags = ['plan'];

export const planRoutes: FastifyPluginAsyncZod = async (app) => {
  app.get('/plan', { config: { action: 'read' }, schema: { tags } }, async (req) => {
    const current = await getCurrentPlanView(req.ctx.db);
    return current ?? { version: null, plan: null };
  });

  app.put(
    '/plan',
    { config: { action: 'plan.apply' }, schema: { tags, body: ApplyPlanInput } },
    async (req) => applyPlan(req.ctx, req.body),
  );

  app.post(
    '/plan/check',
    { config: { action: 'plan.apply' }, schema: { tags, body: ApplyPlanInput } },
    async (req) => {
      const result = readPlan(req.body.source, { env: req.ctx.config.env });
      return result.ok ? { ok: true, problems: [] } : { ok: false, problems: result.problems };
    },
  );

  app.get('/plan/versions', { config: { action: 'read' }, schema: { tags } }, async (req) =>
    listPlanVersions(req.ctx.db),
  );

  app.get(
    '/plan/schema',
    { config: { action: 'read' }, schema: { tags, querystring: z.object({}).optional() } },
    async () => planJsonSchema(),
  );
};
