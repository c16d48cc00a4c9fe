import { inSpan } from '../channels/tracing.ts';
import { dialectOf } from '../store/dialect.ts';
import type { Ctx } from './context.ts';

/**
 * Runs `fn` in a transaction. Nested calls reuse the open one, so verbs
 * compose. Inside, write only through `tx.db`. Callbacks queued with
 * `onCommit` run once the outermost transaction has committed.
 */
export async function withTransaction<T>(ctx: Ctx, fn: (tx: Ctx) => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return fn(ctx);
  const afterCommit: (() => void)[] = [];
  const system = dialectOf(ctx.db) === 'postgres' ? 'postgresql' : 'sqlite';
  const result = await inSpan(
    'db.transaction',
    { attributes: { 'db.system.name': system }, within: true },
    () => ctx.db.transaction().execute((trx) => fn({ ...ctx, db: trx, afterCommit })),
  );
  for (const callback of afterCommit) {
    try {
      callback();
    } catch (err) {
      ctx.log.error({ err }, 'after-commit callback failed');
    }
  }
  return result;
}

/** Queues `callback` for after the commit, or runs it now outside a transaction. */
export function onCommit(ctx: Ctx, callback: () => void): void {
  if (ctx.afterCommit) ctx.afterCommit.push(callback);
  else callback();
}
