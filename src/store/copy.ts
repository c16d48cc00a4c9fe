/**
 * Copying a whole Crier database into another, empty one: SQLite to
 * PostgreSQL when an installation outgrows one process, or back. Every
 * column is portable (ISO text instants, 0/1 flags, JSON text: ADR 0001),
 * so rows read from one dialect are written to the other as they are.
 * Tables go parents first; the target is written in one transaction, so a
 * copy that fails leaves it empty.
 */
import type { Db } from './db.ts';
import { firstNonEmptyTable, pages, resetSerial, tables, unknownTables } from './tables.ts';

export class CopyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CopyError';
  }
}

/** Copies every row of `from` into `to` (both migrated). Returns the rows copied per table. */
export async function copyDatabase(
  from: Db,
  to: Db,
  progress: (table: string, rows: number) => void = () => {},
): Promise<Record<string, number>> {
  // A table the list does not know (a newer migration) would be left behind: refuse instead.
  const unknown = await unknownTables(from);
  if (unknown.length > 0) throw new CopyError(`Tables this copy does not know: ${unknown.join(', ')}.`);
  const full = await firstNonEmptyTable(to);
  if (full) throw new CopyError(`The target database is not empty (${full} has rows); copy into a new one.`);

  const counts: Record<string, number> = {};
  await to.transaction().execute(async (trx) => {
    for (const t of tables) {
      let copied = 0;
      for await (const rows of pages(from, t)) {
        await trx
          .insertInto(t.name)
          // Rows of whichever table t names, as read from it: no one row type fits every table.
          .values(rows as never)
          .execute();
        copied += rows.length;
      }
      // Rows came with their numbers: the sequence must go on after the highest.
      await resetSerial(trx, t);
      counts[t.name] = copied;
      progress(t.name, copied);
    }
  });
  return counts;
}
