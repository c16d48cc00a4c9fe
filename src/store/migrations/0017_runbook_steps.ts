/**
 * Runbook steps as they run (src/services/runbooks/): one row per step of a
 * run, written when the run starts (its `do` steps) or its alerts resolve
 * (its `on_resolve` steps), so a run's progress reads from one table. The
 * step's own words from the plan are kept with it, so a plan applied while a
 * run is under way does not change the steps it still has to take. A run
 * reopened within the reopen window counts a new round for its closing
 * steps. Alerts keep the instant they last changed state, against which a
 * runbook's `for:` wait is measured.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('runbook_run_steps')
    .addColumn('run_id', 'text', (c) => c.notNull().references('runbook_runs.id').onDelete('cascade'))
    .addColumn('round', 'integer', (c) => c.notNull())
    .addColumn('phase', 'text', (c) => c.notNull())
    .addColumn('position', 'integer', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('spec', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text')
    .addColumn('error', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('finished_at', 'text')
    .addPrimaryKeyConstraint('runbook_run_steps_pk', ['run_id', 'round', 'phase', 'position'])
    .execute();
  await db.schema
    .alterTable('runbook_runs')
    .addColumn('round', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('alerts').addColumn('status_changed_at', 'text').execute();
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
