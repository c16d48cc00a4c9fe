/**
 * `crier export --out DIR`: writes the whole public surface as static files
 * (pages as index.html in folders, JSON at the same paths as the live API),
 * so any plain web server or bucket can serve the status page while Crier
 * itself is down. Reads the database once, like one render of the live cache.
 */
import path from 'node:path';
import type { Config } from '../../config.ts';
import { exportFilesFromSurface, writeToDir } from '../../statuspage/export.ts';
import { pageSettings } from '../../statuspage/settings.ts';
import { loadSnapshot } from '../../statuspage/snapshot.ts';
import { renderSurface } from '../../statuspage/surface.ts';
import { migrate, openDatabase } from '../../store/db.ts';

export async function runExport(config: Config, dir: string): Promise<void> {
  const out = path.resolve(dir);
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
}
