/**
 * `crier backup --out FILE` and `crier restore FILE`: the whole database in
 * the portable format (docs/adr/0018-portable-backups.md), taken while Crier
 * runs, restored into an empty database of either kind.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config.ts';
import {
  BackupError,
  type BackupSummary,
  restoreBackup,
  snapshotSqlite,
  writeBackup,
} from '../../store/backup.ts';
import { type Db, migrationsCurrent, openDatabase } from '../../store/db.ts';
import { CliError } from '../output.ts';

export type BackupFormat = 'portable' | 'sqlite';

export async function runBackup(config: Config, out: string, format: BackupFormat): Promise<void> {
  const target = path.resolve(out);
  const partial = `${target}.partial`;
  try {
    const summary = await takeBackup(config.databaseUrl, partial, format);
    fs.renameSync(partial, target);
    const size = fs.statSync(target).size;
    const total = summary ? Object.values(summary.rows).reduce((a, b) => a + b, 0) : undefined;
    process.stdout.write(
      `${total === undefined ? 'Copied the SQLite database' : `Backed up ${total} rows (migration ${summary?.header.migration})`} to ${target} (${size} bytes).\n`,
    );
  } catch (err) {
    fs.rmSync(partial, { force: true });
    if (err instanceof BackupError) throw new CliError(err.message, 1);
    throw err;
  }
}

/**
 * Writes a backup of the database at `url` to `file`. On SQLite, an online
 * copy first (the live database is never locked for the length of the read),
 * which is either the result (`sqlite`) or what the portable file is read from.
 */
async function takeBackup(
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

export async function runRestore(config: Config, file: string): Promise<void> {
  if (file !== '-' && !fs.existsSync(file)) throw new CliError(`No such file: ${file}`, 1);
  const input = file === '-' ? process.stdin : fs.createReadStream(file);
  const db = openDatabase(config.databaseUrl);
  try {
    const summary = await restoreBackup(db, input, (table, rows) =>
      process.stdout.write(`${table.padEnd(26)} ${rows}\n`),
    );
    const total = Object.values(summary.rows).reduce((a, b) => a + b, 0);
    process.stdout.write(
      `Restored ${total} rows taken ${summary.header.taken_at} (from ${summary.header.dialect}, migration ${summary.header.migration}).\n`,
    );
  } catch (err) {
    if (err instanceof BackupError) throw new CliError(err.message, 1);
    throw err;
  } finally {
    await db.destroy();
  }
}
