/**
 * `crier export --out DIR`: writes the whole public surface as static files
 * (pages as index.html in folders, JSON at the same paths as the live API),
 * so any plain web server or bucket can serve the status page while Crier
 * itself is down. Reads the database once, like one render of the live cache.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Config } from '../../config.ts';
import { exportFilesFromSurface, writeToDir } from '../../statuspage/export.ts';
import { pageSettings } from '../../statuspage/settings.ts';
import { loadSnapshot } from '../../statuspage/snapshot.ts';
import { renderSurface } from '../../statuspage/surface.ts';
import { migrate, openDatabase } from '../../store/db.ts';
import { CliError } from '../output.ts';

const exportUsage = 'crier export --out DIR';

export async function runExportCommand(config: Config, args: string[]): Promise<number> {
  let values: { out?: string | undefined };
  try {
    ({ values } = parseArgs({ args, options: { out: { type: 'string' } } }));
  } catch (err) {
    throw new CliError(`${err instanceof Error ? err.message : String(err)}\nUsage: ${exportUsage}`, 2);
  }
  if (!values.out) throw new CliError(`Usage: ${exportUsage}`, 2);
  const out = path.resolve(values.out);
  const db = openDatabase(config.databaseUrl);
  try {
    await migrate(db);
    const surface = renderSurface(await loadSnapshot(db, pageSettings(config), new Date()));
    const files = exportFilesFromSurface(surface.files);
    await writeToDir(out, files);
    process.stdout.write(`Wrote ${files.length} files to ${out}\n`);
  } finally {
    await db.destroy();
  }
  return 0;
}
