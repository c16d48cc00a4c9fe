/**
 * Traces across the outbox: `outbox_jobs.traceparent` keeps the W3C `traceparent` of the span
 * that queued the job (a request's, a verb's), so the worker's span for it joins the same trace
 * (docs/adr/0026-traces.md). Null when traces are off or nothing traced queued it.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('outbox_jobs').addColumn('traceparent', 'text').execute();
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
