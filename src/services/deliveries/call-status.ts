/**
 * What Twilio reports when a call it placed for a delivery ends (its
 * StatusCallback). A call Twilio placed is `sent` as soon as Twilio took it;
 * only its end says whether anyone heard it. One that was not answered
 * (busy, no-answer), failed, or was canceled makes the delivery `dead` with
 * the reason, so it counts among the failures and can be replayed; a
 * completed one leaves it `sent`. The fallback channel is not tried: the
 * worker picks it while sending, before the call's outcome is known
 * (docs/adr/0035-voice-outcomes-and-pages.md).
 * https://www.twilio.com/docs/voice/api/call-resource#statuscallback
 */
import { z } from 'zod';
import { audit } from '../audit.ts';
import { actingAs, type Ctx } from '../context.ts';
import { withTransaction } from '../transaction.ts';

/** The final statuses Twilio reports for a call (`CallStatus`). */
const endings = ['completed', 'busy', 'no-answer', 'failed', 'canceled'] as const;

export const CallStatusReport = z.object({
  deliveryId: z.string().min(1).max(64),
  callSid: z.string().regex(/^CA[0-9a-f]{32}$/i, 'a call SID (CA and 32 hex digits)'),
  status: z.string().max(32),
});
export type CallStatusReport = z.infer<typeof CallStatusReport>;

export type CallOutcome = 'heard' | 'not_heard' | 'ignored';

/** Records the end of a delivery's call; `ignored` for a status that is not an ending, or a call not ours. */
export async function recordCallStatus(ctx: Ctx, raw: CallStatusReport): Promise<CallOutcome> {
  const report = CallStatusReport.parse(raw);
  const ending = endings.find((e) => e === report.status);
  if (ending === undefined) return 'ignored';
  const actor = actingAs(ctx, {
    id: 'twilio',
    role: 'viewer',
    source: 'twilio',
    ...(ctx.actor.requestId !== undefined && { requestId: ctx.actor.requestId }),
  });
  return withTransaction(actor, async (tx) => {
    const delivery = await tx.db
      .selectFrom('deliveries')
      .select(['id', 'state', 'via', 'channel', 'provider_id'])
      .where('id', '=', report.deliveryId)
      .executeTakeFirst();
    // Only the call this delivery placed, while it still counts as sent (a replay starts a new one).
    if (delivery === undefined || delivery.provider_id !== report.callSid || delivery.state !== 'sent')
      return 'ignored';
    if (ending === 'completed') return 'heard';
    const now = tx.clock.now().toISOString();
    const error = `call ${ending} (${report.callSid})`;
    await tx.db
      .updateTable('deliveries')
      .set({ state: 'dead', last_error: error, updated_at: now })
      .where('id', '=', delivery.id)
      .where('state', '=', 'sent')
      .execute();
    await audit(tx, {
      action: 'delivery.call_ended',
      subjectType: 'delivery',
      subjectId: delivery.id,
      before: { state: 'sent' },
      after: { state: 'dead', call_status: ending },
    });
    return 'not_heard';
  });
}
