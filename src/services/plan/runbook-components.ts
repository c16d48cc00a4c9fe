/**
 * The components a plan's runbooks name (declare's and
 * set_component_status's) must exist when the plan is applied through the
 * API. Components live in the database, not the plan, so `crier plan check`
 * on a file cannot know them, and a plan file read at start is not held to
 * it (its components may be made after); a step that names one missing when
 * it runs fails, and the run goes on.
 */
import type { Plan } from '../../plan/schema.ts';
import type { Db } from '../../store/db.ts';

export async function runbookComponentProblems(
  db: Db,
  plan: Plan,
): Promise<{ path: string; message: string }[]> {
  const named: { path: string; id: string }[] = [];
  plan.runbooks.forEach((runbook, i) => {
    for (const [phase, steps] of [
      ['do', runbook.do],
      ['on_resolve', runbook.on_resolve],
    ] as const) {
      steps.forEach((step, j) => {
        const components = step.declare?.components ?? step.set_component_status?.components ?? {};
        const kind = step.declare ? 'declare' : 'set_component_status';
        for (const id of Object.keys(components))
          named.push({ path: `runbooks.${i}.${phase}.${j}.${kind}.components.${id}`, id });
      });
    }
  });
  if (named.length === 0) return [];
  const ids = [...new Set(named.map((n) => n.id))];
  const known = new Set(
    (await db.selectFrom('components').select('id').where('id', 'in', ids).execute()).map((c) => c.id),
  );
  return named
    .filter((n) => !known.has(n.id))
    .map((n) => ({
      path: n.path,
      message: `no component with id "${n.id}" (GET /api/v1/components lists them)`,
    }));
}
