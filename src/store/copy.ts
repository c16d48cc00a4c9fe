/**
 * Copying a whole Crier database into another, empty one: SQLite to
 * PostgreSQL when an installation outgrows one process, or back. Every
 * column is portable (ISO text instants, 0/1 flags, JSON text: ADR 0001),
 * so rows read from one dialect are written to the other as they are.
 * Tables go parents first; the target is written in one transaction, so a
 * copy that fails leaves it empty.
 */
import { sql } from 'kysely';
import { type Db, dialect } from './db.ts';
import type { Database } from './schema.ts';

type Table = keyof Database;

/** Every table, parents before children, with its key (the order rows are read in). */
const tables: readonly { name: Table; key: readonly string[]; serial?: string }[] = [
  { name: 'settings', key: ['key'] },
  { name: 'api_tokens', key: ['id'] },
  { name: 'users', key: ['id'] },
  { name: 'sessions', key: ['hash'] },
  { name: 'sign_in_failures', key: ['key'] },
  { name: 'ingest_keys', key: ['id'] },
  { name: 'alerts', key: ['id'] },
  { name: 'ingest_payloads', key: ['id'] },
  { name: 'component_groups', key: ['id'] },
  { name: 'components', key: ['id'] },
  { name: 'component_status_history', key: ['id'], serial: 'id' },
  { name: 'incidents', key: ['id'] },
  { name: 'incident_components', key: ['incident_id', 'component_id'] },
  { name: 'incident_updates', key: ['id'] },
  { name: 'update_edits', key: ['id'], serial: 'id' },
  { name: 'incident_roles', key: ['incident_id', 'role'] },
  { name: 'incident_deadlines', key: ['incident_id', 'audience'] },
  { name: 'update_decisions', key: ['id'], serial: 'id' },
  { name: 'maintenances', key: ['id'] },
  { name: 'maintenance_components', key: ['maintenance_id', 'component_id'] },
  { name: 'maintenance_updates', key: ['id'] },
  { name: 'subscribers', key: ['id'] },
  { name: 'subscriber_components', key: ['subscriber_id', 'component_id'] },
  { name: 'outbox_jobs', key: ['id'] },
  { name: 'deliveries', key: ['id'] },
  { name: 'delivery_sent_counts', key: ['channel'] },
  { name: 'plan_versions', key: ['version'], serial: 'version' },
  { name: 'audit_log', key: ['id'], serial: 'id' },
];

export class CopyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CopyError';
  }
}

const page = 500;

/** Copies every row of `from` into `to` (both migrated). Returns the rows copied per table. */
export async function copyDatabase(
  from: Db,
  to: Db,
  progress: (table: string, rows: number) => void = () => {},
): Promise<Record<string, number>> {
  // A table this list does not know (a newer migration) would be left behind: refuse instead.
  const known = new Set<string>(tables.map((t) => t.name));
  const unknown = (await tableNames(from)).filter((name) => !known.has(name) && !name.startsWith('kysely_'));
  if (unknown.length > 0) throw new CopyError(`Tables this copy does not know: ${unknown.join(', ')}.`);
  for (const t of tables) {
    const any = await to.selectFrom(t.name).select(sql<number>`1`.as('one')).limit(1).executeTakeFirst();
    if (any)
      throw new CopyError(`The target database is not empty (${t.name} has rows); copy into a new one.`);
  }

  const counts: Record<string, number> = {};
  await to.transaction().execute(async (trx) => {
    for (const t of tables) {
      let copied = 0;
      for await (const rows of pages(from, t.name, t.key)) {
        await trx
          .insertInto(t.name)
          .values(rows as never)
          .execute();
        copied += rows.length;
      }
      if (t.serial && dialect(trx) === 'postgres') {
        // Rows came with their numbers: the sequence must go on after the highest.
        await sql`select setval(pg_get_serial_sequence(${t.name}, ${t.serial}), coalesce((select max(${sql.ref(t.serial)}) from ${sql.table(t.name)}), 0) + 1, false)`.execute(
          trx,
        );
      }
      counts[t.name] = copied;
      progress(t.name, copied);
    }
  });
  return counts;
}

/** The tables of the database (on PostgreSQL, of the schema in use). */
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
  return rows.rows.map((r) => r.name);
}

/** A table's rows in pages, in key order: by key after the last one seen, or by offset for composite keys. */
async function* pages(
  db: Db,
  table: Table,
  key: readonly string[],
): AsyncGenerator<Record<string, unknown>[]> {
  const [single] = key;
  if (key.length === 1 && single !== undefined) {
    let after: unknown = null;
    for (;;) {
      let q = db.selectFrom(table).selectAll().orderBy(sql.ref(single)).limit(page);
      if (after !== null) q = q.where(sql.ref(single), '>', after);
      const rows = (await q.execute()) as Record<string, unknown>[];
      if (rows.length === 0) return;
      yield rows;
      after = rows.at(-1)?.[single] ?? null;
      if (rows.length < page) return;
    }
  }
  for (let offset = 0; ; offset += page) {
    let q = db.selectFrom(table).selectAll();
    for (const column of key) q = q.orderBy(sql.ref(column));
    const rows = (await q.limit(page).offset(offset).execute()) as Record<string, unknown>[];
    if (rows.length === 0) return;
    yield rows;
    if (rows.length < page) return;
  }
}
