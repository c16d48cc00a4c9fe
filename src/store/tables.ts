/**
 * Every table of Crier's database, parents before children, for the tools
 * that move whole databases: `crier db copy`, `crier backup` and
 * `crier restore`. A migration that adds a table adds it here too; the tools
 * refuse a database with a table this list does not know rather than leave
 * it behind.
 */
import { sql } from 'kysely';
import { type Db, dialect } from './db.ts';
import type { Database } from './schema.ts';

export type Table = keyof Database;

export interface TableInfo {
  name: Table;
  /** The key rows are read in. */
  key: readonly string[];
  /** A column numbered by the database (PostgreSQL's sequence must go on after the highest). */
  serial?: string;
}

export const tables: readonly TableInfo[] = [
  { name: 'settings', key: ['key'] },
  { name: 'api_tokens', key: ['id'] },
  { name: 'users', key: ['id'] },
  { name: 'sessions', key: ['hash'] },
  { name: 'sign_in_failures', key: ['key'] },
  { name: 'ingest_keys', key: ['id'] },
  { name: 'alerts', key: ['id'] },
  { name: 'ingest_payloads', key: ['id'] },
  { name: 'runbook_runs', key: ['id'] },
  { name: 'runbook_run_alerts', key: ['run_id', 'alert_id'] },
  { name: 'runbook_run_steps', key: ['run_id', 'round', 'phase', 'position'] },
  { name: 'component_groups', key: ['id'] },
  { name: 'components', key: ['id'] },
  { name: 'component_status_history', key: ['id'], serial: 'id' },
  { name: 'incidents', key: ['id'] },
  { name: 'incident_components', key: ['incident_id', 'component_id'] },
  { name: 'incident_updates', key: ['id'] },
  { name: 'update_edits', key: ['id'], serial: 'id' },
  { name: 'incident_roles', key: ['incident_id', 'role'] },
  { name: 'incident_deadlines', key: ['incident_id', 'audience'] },
  { name: 'chat_rooms', key: ['id'] },
  { name: 'update_decisions', key: ['id'], serial: 'id' },
  { name: 'maintenances', key: ['id'] },
  { name: 'maintenance_components', key: ['maintenance_id', 'component_id'] },
  { name: 'maintenance_updates', key: ['id'] },
  { name: 'subscribers', key: ['id'] },
  { name: 'suppressions', key: ['id'] },
  { name: 'subscriber_components', key: ['subscriber_id', 'component_id'] },
  { name: 'outbox_jobs', key: ['id'] },
  { name: 'deliveries', key: ['id'] },
  { name: 'social_posts', key: ['id'], serial: 'id' },
  { name: 'mentions', key: ['id'], serial: 'id' },
  { name: 'mention_cursors', key: ['incident_id', 'channel', 'feed'] },
  { name: 'listen_limits', key: ['channel'] },
  { name: 'sentiment_bursts', key: ['incident_id'] },
  { name: 'delivery_sent_counts', key: ['channel'] },
  { name: 'delivery_counts', key: ['subject_id', 'channel', 'state'] },
  { name: 'feedback_votes', key: ['id'] },
  { name: 'team_feedback', key: ['id'] },
  { name: 'game_days', key: ['id'] },
  { name: 'plan_versions', key: ['version'], serial: 'version' },
  { name: 'audit_log', key: ['id'], serial: 'id' },
  { name: 'imported', key: ['source', 'kind', 'source_id'] },
];

const byName = new Map<string, TableInfo>(tables.map((t) => [t.name, t]));

export function tableInfo(name: string): TableInfo | undefined {
  return byName.get(name);
}

/** The tables of the database (on PostgreSQL, of the schema in use), Kysely's own left out. */
async function tableNames(db: Db): Promise<string[]> {
  const rows =
    dialect(db) === 'postgres'
      ? await sql<{
          name: string;
        }>`select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(
          db,
        )
      : await sql<{
          name: string;
        }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%'`.execute(db);
  return rows.rows.map((r) => r.name).filter((name) => !name.startsWith('kysely_'));
}

/** The database's tables this list does not know (a newer migration's). */
export async function unknownTables(db: Db): Promise<string[]> {
  return (await tableNames(db)).filter((name) => !byName.has(name));
}

/** The first of the listed tables the database has that holds a row, if any. */
export async function firstNonEmptyTable(db: Db): Promise<string | undefined> {
  const present = new Set(await tableNames(db));
  for (const t of tables) {
    if (!present.has(t.name)) continue;
    const any = await db.selectFrom(t.name).select(sql<number>`1`.as('one')).limit(1).executeTakeFirst();
    if (any) return t.name;
  }
  return undefined;
}

/** On PostgreSQL, moves a serial column's sequence past the highest number the table holds. */
export async function resetSerial(db: Db, t: TableInfo): Promise<void> {
  if (!t.serial || dialect(db) !== 'postgres') return;
  await sql`select setval(pg_get_serial_sequence(${t.name}, ${t.serial}), coalesce((select max(${sql.ref(t.serial)}) from ${sql.table(t.name)}), 0) + 1, false)`.execute(
    db,
  );
}

const page = 500;

/** A table's rows in pages, in key order: by key after the last one seen, or by offset for composite keys. */
export async function* pages(db: Db, t: TableInfo): AsyncGenerator<Record<string, unknown>[]> {
  const [single] = t.key;
  if (t.key.length === 1 && single !== undefined) {
    let after: unknown = null;
    for (;;) {
      let q = db.selectFrom(t.name).selectAll().orderBy(sql.ref(single)).limit(page);
      if (after !== null) q = q.where(sql.ref(single), '>', after);
      const rows: Record<string, unknown>[] = await q.execute();
      if (rows.length === 0) return;
      yield rows;
      after = rows.at(-1)?.[single] ?? null;
      if (rows.length < page) return;
    }
  }
  for (let offset = 0; ; offset += page) {
    let q = db.selectFrom(t.name).selectAll();
    for (const column of t.key) q = q.orderBy(sql.ref(column));
    const rows: Record<string, unknown>[] = await q.limit(page).offset(offset).execute();
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < page) return;
  }
}
