/**
 * `crier import statuspage|cachet`, run: a page read from the other
 * product's API and written straight into the configured database, like
 * `crier restore`. On PostgreSQL, running Crier processes hear of it and
 * render their pages again; on SQLite, start (or restart) Crier after.
 */

import type { Config } from '../../config.ts';
import { SourceError } from '../../ingest/moving-in/fetch.ts';
import { createLogger } from '../../logger.ts';
import { type Ctx, systemActor, systemClock } from '../../services/context.ts';
import { type ImportReport, importPage } from '../../services/import/apply.ts';
import type { SourcePage } from '../../services/import/page.ts';
import { announceChange } from '../../store/change-notifier.ts';
import { ChangeBus } from '../../store/changes.ts';
import { migrate, openDatabase } from '../../store/db.ts';
import { CliError, print } from '../output.ts';

export async function runImport(
  config: Config,
  read: () => Promise<SourcePage>,
  options: { dryRun: boolean; json: boolean },
): Promise<void> {
  let page: SourcePage;
  try {
    page = await read();
  } catch (err) {
    if (err instanceof SourceError) throw new CliError(err.message, 1);
    throw err;
  }
  const db = openDatabase(config.databaseUrl);
  try {
    await migrate(db);
    const ctx: Ctx = {
      db,
      clock: systemClock,
      log: createLogger({ ...config, logLevel: 'silent' }),
      config,
      changes: new ChangeBus(),
      actor: { ...systemActor, id: 'cli', source: 'cli' },
    };
    const report = await importPage(ctx, page, { dryRun: options.dryRun });
    if (!options.dryRun) await announceChange(db, config.databaseUrl, { kind: 'page' });
    print(report, options.json, () => describe(report));
  } finally {
    await db.destroy();
  }
}

const kindNames = {
  component_group: 'component groups',
  component: 'components',
  incident: 'incidents',
  maintenance: 'maintenances',
  subscriber: 'subscribers',
} as const;

function describe(r: ImportReport): string {
  const verb = r.dry_run ? 'Would create' : 'Created';
  const lines = r.items.map(
    (i) =>
      `${r.dry_run ? 'would create' : 'created'} ${i.kind.replace('_', ' ')} ${JSON.stringify(i.name)} (${i.source_id})`,
  );
  const counts = Object.entries(kindNames).map(([k, name]) => {
    const kind = k as keyof typeof kindNames;
    const updated =
      r.updated[kind] > 0
        ? ` (${r.updated[kind]} ${r.dry_run ? 'to update' : 'updated'} from the source)`
        : '';
    return `${name}: ${r.created[kind]} ${r.dry_run ? 'to create' : 'created'}, ${r.existing[kind]} already here${updated}`;
  });
  const byKind = Object.entries(r.subscribers_by_kind)
    .map(([k, n]) => `${k} ${n}`)
    .join(', ');
  return [
    ...lines,
    `${verb} from ${r.source}:`,
    ...counts.map((c) => `  ${c}`),
    `  incident updates: ${r.incident_updates}`,
    ...(byKind ? [`  subscribers by kind: ${byKind}`] : []),
    ...Object.entries(r.left).map(([why, n]) => `  left behind: ${n} ${why}`),
    ...r.invalid.slice(0, 50).map((i) => `  not taken: ${i.kind} ${i.source_id}: ${i.message}`),
    ...(r.invalid.length > 50 ? [`  ... and ${r.invalid.length - 50} more not taken`] : []),
    ...(r.dry_run ? ['Nothing was written (--dry-run).'] : []),
  ].join('\n');
}
