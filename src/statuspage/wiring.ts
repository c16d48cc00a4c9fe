/**
 * Builds the status page for a process: the render cache, its first render,
 * refreshes on every change (this process's ChangeBus and, on PostgreSQL,
 * other processes' NOTIFY), a periodic refresh for the passing of days, and
 * the automatic exports.
 */
import type { Logger } from 'pino';
import { Counter, Gauge, Registry } from 'prom-client';
import type { Config } from '../config.ts';
import type { Clock } from '../domain/clock.ts';
import { type ChangeNotifier, startChangeNotifier } from '../store/change-notifier.ts';
import type { ChangeBus } from '../store/changes.ts';
import type { Db } from '../store/db.ts';
import { StatusPage } from './cache.ts';
import { dirTarget, Exporter, exportFiles, s3Target } from './export.ts';
import { pageSettings } from './settings.ts';

/** Uptime bars move to a new day and maintenance windows open even when no one writes. */
const PERIODIC_REFRESH_MS = 60_000;

export interface RunningStatusPage {
  page: StatusPage;
  exporters: Exporter[];
  /** For /readyz: whether the page is fresh and the exports land. */
  checks(): Record<string, string>;
  /** Its render and export metrics, for /metrics to merge. */
  registry: Registry;
  close(): Promise<void>;
}

export async function startStatusPage(deps: {
  db: Db;
  clock: Clock;
  log: Logger;
  config: Config;
  changes: ChangeBus;
  listenUrl: string | undefined;
}): Promise<RunningStatusPage> {
  const log = deps.log.child({ component: 'status-page' });
  const page = new StatusPage({ db: deps.db, settings: pageSettings(deps.config), clock: deps.clock, log });

  const exporters: Exporter[] = [];
  if (deps.config.export.dir) exporters.push(new Exporter(dirTarget(deps.config.export.dir), log));
  if (deps.config.export.s3) exporters.push(new Exporter(s3Target(deps.config.export.s3), log));
  if (exporters.length > 0) {
    page.onRendered((_surface, entries) => {
      const files = exportFiles(entries);
      for (const e of exporters) e.push(files);
    });
  }

  await page.refresh();
  const stopLocal = deps.changes.subscribe(() => page.requestRefresh());
  const periodic = setInterval(() => page.requestRefresh(), PERIODIC_REFRESH_MS);
  periodic.unref();

  const notifier: ChangeNotifier | undefined = deps.listenUrl
    ? await startChangeNotifier({
        db: deps.db,
        url: deps.listenUrl,
        changes: deps.changes,
        log,
        // Other processes' changes arrive on the change bus; after a gap in listening, refresh anyway.
        onReconnect: () => page.requestRefresh(),
      })
    : undefined;

  const registry = new Registry();
  // Read from the page's own tallies at each scrape.
  new Counter({
    name: 'crier_status_page_renders_total',
    help: 'Renders of the public status page.',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(page.stats.renders);
    },
  });
  new Counter({
    name: 'crier_status_page_render_failures_total',
    help: 'Renders that failed (the last good one kept serving).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(page.stats.renderFailures);
    },
  });
  new Gauge({
    name: 'crier_status_page_render_seconds',
    help: 'Duration of the last render.',
    registers: [registry],
    collect() {
      this.set(page.stats.lastRenderMs / 1000);
    },
  });
  new Gauge({
    name: 'crier_status_page_export_failures',
    help: 'Consecutive failed exports per target (0 when the last one landed).',
    labelNames: ['target'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const e of exporters) this.set({ target: e.status.target }, e.status.failures);
    },
  });

  return {
    page,
    exporters,
    checks() {
      const out: Record<string, string> = {
        status_page: page.stats.lastError ? `serving the last good render: ${page.stats.lastError}` : 'ok',
      };
      if (exporters.length > 0) {
        const failing = exporters.filter((e) => e.status.state === 'retrying');
        out.status_page_export =
          failing.length === 0
            ? exporters.every((e) => e.status.state === 'ok')
              ? 'ok'
              : 'pending'
            : failing
                .map(
                  (e) =>
                    `${e.status.target} retrying after ${e.status.failures} failures: ${e.status.lastError}`,
                )
                .join('; ');
      }
      return out;
    },
    registry,
    async close() {
      stopLocal();
      clearInterval(periodic);
      await page.close();
      for (const e of exporters) e.close();
      await notifier?.close();
    },
  };
}
