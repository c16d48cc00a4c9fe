import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { can } from '../../domain/permissions.ts';
import { describeChannels } from '../../plan/channels.ts';
import type { PlanChange } from '../../plan/diff.ts';
import { planJsonSchema } from '../../plan/json-schema.ts';
import { readPlan } from '../../plan/load.ts';
import {
  ApplyPlanInput,
  ApplyResult,
  applyPlan,
  CurrentPlanResponse,
  getCurrentPlanView,
  listPlanVersions,
  PlanVersionView,
} from '../../services/plan/current.ts';

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

/** A change's path and kind without its values, which may include channel secrets. */
function pathsOnly(changes: readonly PlanChange[]): PlanChange[] {
  return changes.map(({ path, kind }) => ({ path, kind }));
}

export const planRoutes: FastifyPluginAsyncZod = async (app) => {
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
    async (req) => {
      const current = await getCurrentPlanView(req.ctx.db);
      if (!current) return { version: null, plan: null };
      if (can(req.ctx.actor.role, 'plan.apply')) return current;
      // Channel settings may hold secrets written in clear; those who cannot apply a plan see
      // each channel's name, type and fallback, the paths that changed, and not the source file.
      const { source: _source, ...rest } = current;
      return {
        ...rest,
        changes: pathsOnly(current.changes),
        plan: { ...current.plan, channels: describeChannels(current.plan.channels) },
      };
    },
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
    async (req) => applyPlan(req.ctx, req.body),
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
    async (req) => {
      const result = readPlan(req.body.source, { env: req.ctx.config.env });
      return result.ok
        ? { ok: true, problems: [], warnings: result.warnings }
        : { ok: false, problems: result.problems, warnings: [] };
    },
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
    async (req) => {
      const versions = await listPlanVersions(req.ctx.db);
      if (can(req.ctx.actor.role, 'plan.apply')) return versions;
      return versions.map((v) => ({ ...v, changes: pathsOnly(v.changes) }));
    },
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
