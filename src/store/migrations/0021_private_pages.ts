/**
 * Private pages per audience. `incidents.audience` names the audience a
 * private incident speaks to (null for every other incident): it never
 * reaches the public page, and its component changes are its own state,
 * kept on its link to the component (`incident_components.drill_status`,
 * as a drill's are). `subscribers.page_links_from` revokes a subscriber's
 * private-page links: a link signed before that instant no longer opens
 * the page.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('incidents').addColumn('audience', 'text').execute();
  await db.schema.alterTable('subscribers').addColumn('page_links_from', 'text').execute();
}

export async function down(): Promise<void> {
  // Crier migrates forward only; restore a backup to go back.
}
