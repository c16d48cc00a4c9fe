/**
 * `crier db copy --to URL`: copies the configured database
 * (CRIER_DATABASE_URL) into another, empty one, migrating it first:
 * SQLite to PostgreSQL when an installation outgrows one process, or back.
 * Stop Crier first: rows written during the copy would be left behind.
 */
import type { Config } from '../../config.ts';
import { CopyError, copyDatabase } from '../../store/copy.ts';
import { migrate, openDatabase } from '../../store/db.ts';
import { CliError } from '../output.ts';

export async function runDbCopy(config: Config, to: string): Promise<void> {
  if (!to.startsWith('sqlite:') && !/^postgres(ql)?:\/\//.test(to)) {
    throw new CliError('--to takes a database URL: sqlite:<file> or postgres://…', 2);
  }
  if (to === config.databaseUrl) throw new CliError('--to names the database being copied.', 2);
  const from = openDatabase(config.databaseUrl);
  const target = openDatabase(to);
  try {
    await migrate(from);
    await migrate(target);
    const counts = await copyDatabase(from, target, (table, rows) =>
      process.stdout.write(`${table.padEnd(26)} ${rows}\n`),
    );
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    process.stdout.write(`Copied ${total} rows into ${to.replace(/\/\/[^@/]*@/, '//…@')}.\n`);
  } catch (err) {
    if (err instanceof CopyError) throw new CliError(err.message, 1);
    throw err;
  } finally {
    await from.destroy();
    await target.destroy();
  }
}
