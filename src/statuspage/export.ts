/**
 * The static export: the whole public surface as files that any plain web
 * server or bucket serves as Crier would (pages as index.html in folders,
 * JSON at the same paths). `crier export --out DIR` writes it once; with
 * CRIER_EXPORT_DIR or CRIER_EXPORT_S3_URL set, every render is pushed, in
 * the background, retried with backoff until it lands. A failing export is
 * reported in /readyz and never delays an incident update: it runs after
 * the commit, off the request path.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Entry } from './entries.ts';
import { CACHE_CONTROL } from './entries.ts';
import { openBucket, type S3Target } from './s3.ts';
import { exportPathOf, NOT_FOUND_PATH, type SurfaceFile } from './surface.ts';

export interface ExportFile {
  /** Relative file path in the export: `index.html`, `api/v2/summary.json`, ... */
  file: string;
  body: Buffer;
  type: string;
  /** Changes when the bytes change; lets a target skip what it already has. */
  tag: string;
}

export function exportFiles(entries: ReadonlyMap<string, Entry>): ExportFile[] {
  return [...entries].map(([urlPath, e]) => ({
    file: urlPath === NOT_FOUND_PATH ? '404.html' : exportPathOf(urlPath),
    body: e.identity.body,
    type: e.type,
    tag: e.tag,
  }));
}

/** Same, straight from rendered files (the CLI's one-off export). */
export function exportFilesFromSurface(files: ReadonlyMap<string, SurfaceFile>): ExportFile[] {
  return [...files].map(([urlPath, f]) => ({
    file: urlPath === NOT_FOUND_PATH ? '404.html' : exportPathOf(urlPath),
    body: Buffer.from(f.body, 'utf8'),
    type: f.type,
    tag: '',
  }));
}

/** Writes each file atomically (temporary file, then rename), so a reader never sees half a page. */
export async function writeToDir(dir: string, files: readonly ExportFile[]): Promise<void> {
  for (const f of files) {
    const target = path.join(dir, f.file);
    if (!target.startsWith(path.resolve(dir) + path.sep))
      throw new Error(`Refusing to write outside ${dir}: ${f.file}`);
    await fs.mkdir(path.dirname(target), { recursive: true });
    const tmp = `${target}.${process.pid}.tmp`;
    await fs.writeFile(tmp, f.body);
    await fs.rename(tmp, target);
  }
}

export interface ExportTarget {
  name: string;
  put(files: readonly ExportFile[]): Promise<void>;
  close?(): void;
}

export function dirTarget(dir: string): ExportTarget {
  return { name: `dir:${dir}`, put: (files) => writeToDir(path.resolve(dir), files) };
}

export function s3Target(target: S3Target): ExportTarget {
  const bucket = openBucket(target);
  return {
    name: `s3:${target.url}`,
    async put(files) {
      for (const f of files) await bucket.put(f.file, f.body, f.type, CACHE_CONTROL);
    },
    close: () => bucket.close(),
  };
}

export interface ExportStatus {
  target: string;
  state: 'ok' | 'pending' | 'retrying';
  lastSuccessAt: string | null;
  failures: number;
  lastError: string | null;
}

/**
 * Pushes the latest surface to one target. Only files whose bytes changed
 * since the last successful push are sent. A failure is retried with
 * exponential backoff (1 s doubling to 5 min); a newer surface replaces the
 * pending one, so a slow target catches up with the latest state.
 */
export class Exporter {
  readonly #target: ExportTarget;
  readonly #log: Logger;
  readonly #sent = new Map<string, string>();
  #pending: readonly ExportFile[] | undefined;
  #busy = false;
  #timer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly status: ExportStatus;

  constructor(target: ExportTarget, log: Logger) {
    this.#target = target;
    this.#log = log;
    this.status = {
      target: target.name,
      state: 'pending',
      lastSuccessAt: null,
      failures: 0,
      lastError: null,
    };
  }

  push(files: readonly ExportFile[]): void {
    this.#pending = files;
    if (!this.#busy && !this.#timer) void this.#run();
  }

  async #run(): Promise<void> {
    if (this.#closed || !this.#pending) return;
    this.#busy = true;
    const files = this.#pending;
    this.#pending = undefined;
    const changed = files.filter((f) => !f.tag || this.#sent.get(f.file) !== f.tag);
    try {
      await this.#target.put(changed);
      for (const f of changed) this.#sent.set(f.file, f.tag);
      this.status.state = 'ok';
      this.status.failures = 0;
      this.status.lastError = null;
      this.status.lastSuccessAt = new Date().toISOString();
      this.#busy = false;
      if (this.#pending) void this.#run();
    } catch (err) {
      this.status.failures++;
      this.status.state = 'retrying';
      this.status.lastError = err instanceof Error ? err.message : String(err);
      this.#log.warn(
        { err, target: this.#target.name, failures: this.status.failures },
        'status page export failed; will retry',
      );
      this.#pending ??= files;
      this.#busy = false;
      const delay = Math.min(300_000, 1000 * 2 ** Math.min(this.status.failures - 1, 9));
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        void this.#run();
      }, delay);
      this.#timer.unref();
    }
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#target.close?.();
  }
}
