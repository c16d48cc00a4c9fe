/**
 * Scheduled backups: wherever a worker runs, every `CRIER_BACKUP_EVERY_HOURS`
 * one process takes a portable backup (docs/adr/0018-portable-backups.md)
 * and stores it in the configured folder and/or bucket, then deletes all
 * but the newest `CRIER_BACKUP_KEEP` there. The processes agree on who
 * takes it through one row of `settings`, claimed in a transaction under a
 * named lock: several workers take one backup per period, not one each.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { backupDatabase } from '../../store/backup-file.ts';
import { type BackupTarget, backupName, bucketTarget, folderTarget } from '../../store/backup-targets.ts';
import { lockNamed } from '../../store/locks.ts';
import type { Ctx } from '../context.ts';
import { getSetting, putSetting } from '../settings.ts';
import { withTransaction } from '../transaction.ts';

const NEXT = 'backup.next_at';
/** After a failure, the next try comes this soon (or at the period, if shorter). */
const RETRY_MS = 10 * 60_000;

export function backupTargets(ctx: Ctx): BackupTarget[] {
  const { dir, s3 } = ctx.config.backups;
  return [...(dir ? [folderTarget(dir)] : []), ...(s3 ? [bucketTarget(s3)] : [])];
}

/** Whether this process takes the backup now: true at most once per period across every process. */
async function claim(ctx: Ctx): Promise<boolean> {
  return withTransaction(ctx, async (tx) => {
    await lockNamed(tx.db, NEXT);
    const now = tx.clock.now();
    const next = await getSetting(tx.db, NEXT);
    if (next !== null && Date.parse(next) > now.getTime()) return false;
    await putSetting(tx.db, NEXT, new Date(now.getTime() + tx.config.backups.everyMs).toISOString());
    return true;
  });
}

export interface BackupTaken {
  name: string;
  rows: number;
  /** Older backups deleted to keep the newest `keep`. */
  removed: string[];
}

/** Takes the backup if it is due and no other process took it; undefined when it was not this one's turn. */
export async function runScheduledBackup(
  ctx: Ctx,
  targets: readonly BackupTarget[],
): Promise<BackupTaken | undefined> {
  if (targets.length === 0 || !(await claim(ctx))) return undefined;
  const now = ctx.clock.now();
  const name = backupName(now);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'crier-backup-'));
  try {
    const file = path.join(dir, name);
    const summary = await backupDatabase(ctx.db, ctx.config.databaseUrl, file, now);
    const removed: string[] = [];
    for (const target of targets) {
      await target.put(name, file);
      const held = await target.list();
      for (const old of held.slice(0, Math.max(0, held.length - ctx.config.backups.keep))) {
        await target.remove(old);
        removed.push(old);
      }
    }
    const rows = Object.values(summary.rows).reduce((a, b) => a + b, 0);
    ctx.log.info({ backup: name, rows, to: targets.map((t) => t.where), removed }, 'scheduled backup taken');
    return { name, rows, removed };
  } catch (err) {
    const retry = new Date(now.getTime() + Math.min(RETRY_MS, ctx.config.backups.everyMs)).toISOString();
    await putSetting(ctx.db, NEXT, retry).catch(() => {});
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
