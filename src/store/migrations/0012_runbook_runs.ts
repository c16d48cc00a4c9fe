/**
 * Runbooks that run (src/services/runbooks/): one row per run of a runbook
 * for a group of alerts, open while its incident is, and the alerts that
 * joined it. At most one open run per runbook and group, so alerts of one
 * group delivered at once, to two workers, still make one incident.
 */
import { type Kysely, sql } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('runbook_runs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('runbook', 'text', (c) => c.notNull())
    .addColumn('group_key', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('incident_id', 'text')
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('resolved_at', 'text')
    .execute();
  await sql`create unique index runbook_runs_open on runbook_runs (runbook, group_key) where state = 'open'`.execute(
    db,
  );
  await db.schema.createIndex('runbook_runs_incident').on('runbook_runs').column('incident_id').execute();

  await db.schema
    .createTable('runbook_run_alerts')
    .addColumn('run_id', 'text', (c) => c.notNull().references('runbook_runs.id').onDelete('cascade'))
    .addColumn('alert_id', 'text', (c) => c.notNull().references('alerts.id').onDelete('cascade'))
    .addPrimaryKeyConstraint('runbook_run_alerts_pk', ['run_id', 'alert_id'])
    .execute();
  await db.schema
    .createIndex('runbook_run_alerts_alert')
    .on('runbook_run_alerts')
    .column('alert_id')
    .execute();
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
