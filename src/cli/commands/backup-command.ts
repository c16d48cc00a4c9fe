/**
 * `crier backup --out FILE` and `crier restore FILE`: the whole database in
 * the portable format (docs/adr/0018-portable-backups.md), taken while Crier
 * runs, restored into an empty database of either kind.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Config } from '../../config.ts';
import { BackupError, restoreBackup } from '../../store/backup.ts';
import { type BackupFormat, backupToFile } from '../../store/backup-file.ts';
import { openDatabase } from '../../store/db.ts';
import { CliError } from '../output.ts';

export async function runBackup(config: Config, out: string, format: BackupFormat): Promise<void> {
  const target = path.resolve(out);
  const partial = `${target}.partial`;
  try {
    const summary = await backupToFile(config.databaseUrl, partial, format);
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
