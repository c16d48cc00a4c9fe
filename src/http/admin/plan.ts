import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { planJsonSchema } from '../../plan/json-schema.ts';
import {
  ApplyPlanInput,
  ApplyResult,
  applyPlan,
  CurrentPlanResponse,
  PlanVersionView,
} from '../../services/plan/current.ts';
import { checkPlan, readCurrentPlan, readPlanVersions } from '../../services/plan/read.ts';

const tags = ['plan'];

const PlanProblemView = z.object({
  path: z.string(),
  message: z.string(),
  line: z.number().optional(),
  column: z.number().optional(),
});

const PlanCheckResult = z
  .object({
    ok: z.boolean(),
    problems: z.array(PlanProblemView),
    warnings: z
      .array(PlanProblemView)
      .describe("What the plan allows but may not mean, such as a severity's approvers that can run out."),
  })
  .meta({ id: 'PlanCheck' });

/**
 * `takeUp` resolves once this process runs on the plan in force (its
 * channels reloaded): an apply answers only then, so the next request (a
 * subscriber import on a channel the plan just added) sees it.
 */
export const planRoutes =
  (takeUp: () => Promise<void>): FastifyPluginAsyncZod =>
  async (app) => {
    app.get(
      '/plan',
      {
        config: { action: 'read' },
        schema: {
          operationId: 'getPlan',
          summary: 'The plan in force',
          tags,
          response: { 200: CurrentPlanResponse },
        },
      },
      async (req) => readCurrentPlan(req.ctx),
    );

    app.put(
      '/plan',
      {
        config: { action: 'plan.apply' },
        schema: {
          operationId: 'applyPlan',
          summary: 'Apply a plan (a new version unless it equals the one in force)',
          tags,
          body: ApplyPlanInput,
          response: { 200: ApplyResult },
        },
      },
      async (req) => {
        const result = await applyPlan(req.ctx, req.body);
        if (!result.unchanged) await takeUp();
        return result;
      },
    );

    app.post(
      '/plan/check',
      {
        config: { action: 'plan.apply' },
        schema: {
          operationId: 'checkPlan',
          summary: 'Check a plan without applying it',
          tags,
          body: ApplyPlanInput,
          response: { 200: PlanCheckResult },
        },
      },
      async (req) => checkPlan(req.ctx, req.body),
    );

    app.get(
      '/plan/versions',
      {
        config: { action: 'read' },
        schema: {
          operationId: 'listPlanVersions',
          summary: 'Every version applied, newest first',
          tags,
          response: { 200: z.array(PlanVersionView) },
        },
      },
      async (req) => readPlanVersions(req.ctx),
    );

    app.get(
      '/plan/schema',
      {
        config: { action: 'read' },
        schema: {
          operationId: 'getPlanSchema',
          summary: "The plan's JSON Schema, for editors",
          tags,
          querystring: z.object({}).optional(),
          response: {
            200: z.record(z.string(), z.unknown()).describe('A JSON Schema (draft 2020-12) of crier.yaml.'),
          },
        },
      },
      async () => planJsonSchema(),
    );
  };
