/** The incidents and drills run under one plan version: those declared while it was in force. */
import { z } from 'zod';
import { CrierError } from '../../domain/errors.ts';
import type { Ctx } from '../context.ts';
import { authorize } from '../guard.ts';

export const PlanVersionIncident = z
  .object({
    id: z.string(),
    name: z.string(),
    drill: z.boolean(),
    severity: z.string().nullable(),
    scenario: z.string().nullable(),
    status: z.string(),
    declared_at: z.string(),
  })
  .meta({ id: 'PlanVersionIncident' });
export type PlanVersionIncident = z.infer<typeof PlanVersionIncident>;

export async function incidentsOfPlanVersion(ctx: Ctx, version: number): Promise<PlanVersionIncident[]> {
  authorize(ctx, 'read');
  const found = await ctx.db
    .selectFrom('plan_versions')
    .select('version')
    .where('version', '=', version)
    .executeTakeFirst();
  if (!found) {
    throw new CrierError('not_found', `No plan version ${version}.`, { version });
  }
  const rows = await ctx.db
    .selectFrom('incidents')
    .select(['id', 'name', 'drill', 'severity', 'scenario', 'status', 'declared_at'])
    .where('plan_version', '=', version)
    .orderBy('declared_at')
    .orderBy('id')
    .execute();
  return rows.map((r) => ({ ...r, drill: r.drill === 1 }));
}
