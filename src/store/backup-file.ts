/**
 * A backup of the database at a URL, written to a file: what `crier backup`
 * and the scheduled backups share. On SQLite, an online copy first (the
 * live database is never locked for the length of the read), which is
 * either the result (`sqlite`) or what the portable file is read from.
 */
import fs from 'node:fs';
import { BackupError, type BackupSummary, snapshotSqlite, writeBackup } from './backup.ts';
import { type Db, dialect, migrationsCurrent, openDatabase } from './db.ts';

export type BackupFormat = 'portable' | 'sqlite';

export async function backupToFile(
  url: string,
  file: string,
  format: BackupFormat,
  now = new Date(),
): Promise<BackupSummary | undefined> {
  if (url.startsWith('sqlite:')) {
    const source = url.slice('sqlite:'.length);
    if (source === ':memory:') throw new BackupError('An in-memory database cannot be backed up.');
    if (format === 'sqlite') {
      await snapshotSqlite(source, file);
      return undefined;
    }
    const snapshot = `${file}.snapshot.db`;
    try {
      await snapshotSqlite(source, snapshot);
      return await writeFrom(openDatabase(`sqlite:${snapshot}`), file, now);
    } finally {
      for (const suffix of ['', '-wal', '-shm']) fs.rmSync(`${snapshot}${suffix}`, { force: true });
    }
  }
  if (format === 'sqlite') throw new BackupError('--format sqlite backs up an SQLite database only.');
  return writeFrom(openDatabase(url, { poolSize: 1 }), file, now);
}

async function writeFrom(db: Db, file: string, now: Date): Promise<BackupSummary> {
  try {
    if (!(await migrationsCurrent(db))) {
      throw new BackupError(
        'The database is not at this Crier’s migration: back it up with the Crier that runs it, or run `crier migrate` first.',
      );
    }
    return await writeBackup(db, fs.createWriteStream(file), now);
  } finally {
    await db.destroy();
  }
}

/**
 * A portable backup of the database `db` opened, whose URL is `url`: on
 * SQLite through an online copy of its file, on PostgreSQL through `db`
 * itself (one read-only snapshot), so a schema it works in is the one read.
 */
export async function backupDatabase(db: Db, url: string, file: string, now: Date): Promise<BackupSummary> {
  if (dialect(db) === 'sqlite') {
    const summary = await backupToFile(url, file, 'portable', now);
    if (!summary) throw new BackupError('The SQLite copy gave no summary.');
    return summary;
  }
  if (!(await migrationsCurrent(db))) throw new BackupError('The database is not at this Crier’s migration.');
  return writeBackup(db, fs.createWriteStream(file), now);
}
