/**
 * Backups in one portable format (docs/adr/0018-portable-backups.md):
 * gzip'd JSON lines, a header naming the format and the last migration the
 * rows were written under, then one line per row, tables parents first,
 * then a closing line with the count of each table. Any dialect writes it
 * and any dialect reads it back, since every column is text or an integer
 * (ADR 0001). The rows come from one consistent view of the database: a
 * read-only REPEATABLE READ transaction on PostgreSQL; on SQLite, the
 * caller first takes an online copy (`snapshotSqlite`) and reads that.
 */
import { once } from 'node:events';
import readline from 'node:readline';
import { pipeline, type Readable, type Writable } from 'node:stream';
import { createGunzip, createGzip } from 'node:zlib';
import SqliteDatabase from 'better-sqlite3';
import { sql } from 'kysely';
import { z } from 'zod';
import {
  appliedMigrations,
  type Db,
  dialect,
  migrate,
  migrationNames,
  SQLITE_BUSY_TIMEOUT_MS,
} from './db.ts';
import {
  firstNonEmptyTable,
  pages,
  resetSerial,
  type Table,
  tableInfo,
  tables,
  unknownTables,
} from './tables.ts';

export class BackupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackupError';
  }
}

const BACKUP_FORMAT = 'crier-backup';
const BACKUP_VERSION = 1;

const Header = z.object({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION),
  taken_at: z.string(),
  dialect: z.enum(['sqlite', 'postgres']),
  /** The last migration applied to the database the rows came from. */
  migration: z.string(),
  tables: z.array(z.string()),
});
type BackupHeader = z.infer<typeof Header>;

const RowLine = z.object({ table: z.string(), row: z.record(z.string(), z.unknown()) });
const EndLine = z.object({ end: z.object({ rows: z.record(z.string(), z.number().int().min(0)) }) });

export interface BackupSummary {
  header: BackupHeader;
  rows: Record<string, number>;
}

/**
 * The online backup of an SQLite file (better-sqlite3's `backup`, SQLite's
 * backup API): copies the database page by page into `dest` while writers
 * carry on, and starts again from the top when one commits meanwhile, so
 * `dest` is always one committed state.
 */
export async function snapshotSqlite(file: string, dest: string): Promise<void> {
  const source = new SqliteDatabase(file, { fileMustExist: true });
  try {
    source.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
    await source.backup(dest);
  } finally {
    source.close();
  }
}

/**
 * Writes every row of `db` to `out` as a backup. On PostgreSQL in one
 * read-only REPEATABLE READ transaction (one snapshot, no locks that stop
 * writers); on SQLite in one transaction, meant for a snapshot file nobody
 * else writes (a live SQLite database is snapshotted first).
 */
export async function writeBackup(db: Db, out: Writable, takenAt: Date): Promise<BackupSummary> {
  const gzip = createGzip();
  const done = new Promise<void>((resolve, reject) =>
    pipeline(gzip, out, (err) => (err ? reject(err) : resolve())),
  );
  const write = async (value: unknown) => {
    if (!gzip.write(`${JSON.stringify(value)}\n`)) await once(gzip, 'drain');
  };
  const dump = async (trx: Db): Promise<BackupSummary> => {
    const unknown = await unknownTables(trx);
    if (unknown.length > 0) throw new BackupError(`Tables this backup does not know: ${unknown.join(', ')}.`);
    const migration = (await appliedMigrations(trx)).at(-1);
    if (!migration) throw new BackupError('The database has no migrations applied: nothing to back up.');
    const header: BackupHeader = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      taken_at: takenAt.toISOString(),
      dialect: dialect(trx),
      migration,
      tables: tables.map((t) => t.name),
    };
    await write(header);
    const rows: Record<string, number> = {};
    for (const t of tables) {
      let count = 0;
      for await (const page of pages(trx, t)) {
        for (const row of page) await write({ table: t.name, row });
        count += page.length;
      }
      rows[t.name] = count;
    }
    await write({ end: { rows } });
    return { header, rows };
  };
  try {
    const summary =
      dialect(db) === 'postgres'
        ? await db.transaction().setIsolationLevel('repeatable read').setAccessMode('read only').execute(dump)
        : await db.transaction().execute(dump);
    gzip.end();
    await done;
    return summary;
  } catch (err) {
    gzip.destroy(err instanceof Error ? err : new Error(String(err)));
    await done.catch(() => {});
    throw err;
  }
}

const batchSize = 500;

/**
 * Restores a backup into an empty database of either dialect: migrates it up
 * to the backup's migration, writes every row in one transaction, checks each
 * table's count against the backup's own, then runs the migrations that came
 * after. A file that is cut short, damaged or not a backup restores nothing.
 */
export async function restoreBackup(
  db: Db,
  input: Readable,
  progress: (table: string, rows: number) => void = () => {},
): Promise<BackupSummary> {
  const gunzip = createGunzip();
  const failed = new Promise<never>((_, reject) => {
    const fail = (err: Error) =>
      reject(new BackupError(`The file cannot be read as a backup (${err.message}); nothing was restored.`));
    input.once('error', fail);
    gunzip.once('error', fail);
  });
  failed.catch(() => {});
  const lines = readline
    .createInterface({ input: input.pipe(gunzip), crlfDelay: Number.POSITIVE_INFINITY })
    [Symbol.asyncIterator]();
  const next = async (): Promise<unknown> => {
    // A read error may come from the line reader, which passes its input's errors on, as well.
    const line = await Promise.race([lines.next(), failed]).catch((err: unknown) => {
      if (err instanceof BackupError) throw err;
      throw new BackupError(
        `The file cannot be read as a backup (${err instanceof Error ? err.message : String(err)}); nothing was restored.`,
      );
    });
    if (line.done) return undefined;
    try {
      return JSON.parse(line.value);
    } catch {
      throw new BackupError('A line of the backup is not JSON: the file is damaged; nothing was restored.');
    }
  };

  const header = Header.safeParse(await next());
  if (!header.success)
    throw new BackupError('This is not a Crier backup (its first line is not a backup header).');
  const { migration } = header.data;
  if (!migrationNames.includes(migration)) {
    throw new BackupError(
      `The backup was taken under migration ${migration}, which this Crier does not know: restore it with the same or a newer Crier.`,
    );
  }
  const ahead = (await appliedMigrations(db)).filter((name) => name > migration);
  if (ahead.length > 0) {
    throw new BackupError(
      `The target database is already past the backup's migration (${ahead.at(-1)} > ${migration}); restore into a new, empty database.`,
    );
  }
  await migrate(db, migration);
  const unknown = await unknownTables(db);
  if (unknown.length > 0)
    throw new BackupError(`The target has tables this restore does not know: ${unknown.join(', ')}.`);
  const full = await firstNonEmptyTable(db);
  if (full)
    throw new BackupError(`The target database is not empty (${full} has rows); restore into a new one.`);

  const rows: Record<string, number> = {};
  await db.transaction().execute(async (trx) => {
    let batch: Record<string, unknown>[] = [];
    let current: Table | undefined;
    const flush = async () => {
      if (!current || batch.length === 0) return;
      try {
        await trx
          .insertInto(current)
          // Rows of whichever table `current` names: no one row type fits every table.
          .values(batch as never)
          .execute();
      } catch (err) {
        throw new BackupError(
          `Rows of ${current} could not be written (${err instanceof Error ? err.message : String(err)}); nothing was restored.`,
        );
      }
      rows[current] = (rows[current] ?? 0) + batch.length;
      batch = [];
    };
    const finishTable = async () => {
      await flush();
      if (!current) return;
      const info = tableInfo(current);
      if (info) await resetSerial(trx, info);
      progress(current, rows[current] ?? 0);
    };
    for (;;) {
      const value = await next();
      if (value === undefined)
        throw new BackupError('The backup ends early (the file is cut short); nothing was restored.');
      const end = EndLine.safeParse(value);
      if (end.success) {
        await finishTable();
        await checkCounts(trx, header.data.tables, end.data.end.rows, rows);
        break;
      }
      const line = RowLine.safeParse(value);
      if (!line.success)
        throw new BackupError(
          'A line of the backup is not a row: the file is damaged; nothing was restored.',
        );
      const { table, row } = line.data;
      if (table !== current) {
        const info = tableInfo(table);
        if (!info || !header.data.tables.includes(table)) {
          throw new BackupError(`The backup holds rows of a table this Crier does not know (${table}).`);
        }
        await finishTable();
        current = info.name;
        rows[current] = rows[current] ?? 0;
      }
      batch.push(row);
      if (batch.length >= batchSize) await flush();
    }
  });
  lines.return?.();
  await migrate(db);
  return { header: header.data, rows };
}

/** Every table holds what the backup says it held: the rows written, and the rows counted back. */
async function checkCounts(
  trx: Db,
  listed: readonly string[],
  expected: Record<string, number>,
  written: Record<string, number>,
): Promise<void> {
  for (const name of listed) {
    const info = tableInfo(name);
    const want = expected[name] ?? 0;
    const wrote = written[name] ?? 0;
    const counted = info
      ? Number(
          (await trx.selectFrom(info.name).select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow()).n,
        )
      : 0;
    if (wrote !== want || counted !== want) {
      throw new BackupError(
        `The backup says ${name} held ${want} rows, but ${wrote} were read and ${counted} are in the database; nothing was restored.`,
      );
    }
  }
}
