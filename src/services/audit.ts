import { followInRooms } from './chat/rooms.ts';
import type { Ctx } from './context.ts';

export interface AuditEntry {
  action: string;
  subjectType: string;
  subjectId: string | null;
  before?: unknown;
  after?: unknown;
}

/** Appends one audit entry. Call it inside the verb's transaction, with `tx`. */
export async function audit(tx: Ctx, entry: AuditEntry): Promise<void> {
  await tx.db
    .insertInto('audit_log')
    .values({
      at: tx.clock.now().toISOString(),
      actor: tx.actor.id,
      action: entry.action,
      subject_type: entry.subjectType,
      subject_id: entry.subjectId,
      before: entry.before === undefined ? null : JSON.stringify(entry.before),
      after: entry.after === undefined ? null : JSON.stringify(entry.after),
      request_id: tx.actor.requestId ?? null,
      source: tx.actor.source ?? null,
    })
    .execute();
  // An incident's chat rooms post its timeline: this entry is part of it.
  await followInRooms(tx, entry.subjectType, entry.subjectId);
}
