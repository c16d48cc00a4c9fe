/**
 * A source's confirmed subscribers, 500 to a transaction, written in bulk
 * (a page has thousands). They arrive confirmed, with their component
 * choices, and hear nothing from the move itself. Someone Crier already
 * knows by the same contact is left as they are (an unsubscribe stands);
 * a contact Crier cannot use is reported.
 */
import { newWebhookSecret } from '../../channels/webhook.ts';
import { CrierError } from '../../domain/errors.ts';
import { newId } from '../../store/ids.ts';
import type { SubscriberRow } from '../../store/schema.ts';
import type { Ctx } from '../context.ts';
import { type Contact, contactOf } from '../subscribers/contact.ts';
import { defaultRegion, token } from '../subscribers/subscribe.ts';
import { refusePrivateTarget } from '../subscribers/target.ts';
import { withTransaction } from '../transaction.ts';
import type { SourcePage, SourceSubscriber } from './page.ts';
import { type ImportReport, Remembered } from './remembered.ts';

const BATCH = 500;

export async function importSubscribers(ctx: Ctx, page: SourcePage, report: ImportReport): Promise<void> {
  const region = await defaultRegion(ctx.db);
  const memory = await Remembered.load(
    ctx,
    { ...page, groups: [], components: [], incidents: [], maintenances: [] },
    report,
  );
  const fresh: { s: SourceSubscriber; contact: Contact }[] = [];
  for (const s of page.subscribers) {
    if (memory.has('subscriber', s.id)) {
      report.existing.subscriber += 1;
      continue;
    }
    const contact = usable(s, region, ctx.config.allowPrivateNetwork);
    if (typeof contact === 'string')
      report.invalid.push({ kind: 'subscriber', source_id: s.id, message: contact });
    else fresh.push({ s, contact });
  }
  for (let at = 0; at < fresh.length; at += BATCH) {
    const batch = fresh.slice(at, at + BATCH);
    await withTransaction(ctx, (tx) => writeBatch(tx, batch, memory.in(tx), report));
  }
}

function usable(s: SourceSubscriber, region: string | undefined, allowPrivate: boolean): Contact | string {
  const contact =
    'phone' in s.contact
      ? contactOf({ phone: s.contact.phone }, s.contact.country ?? region)
      : contactOf(s.contact, region);
  if (typeof contact === 'string') return contact;
  try {
    refusePrivateTarget(contact, allowPrivate);
  } catch (err) {
    if (err instanceof CrierError) return err.message;
    throw err;
  }
  return contact;
}

async function writeBatch(
  tx: Ctx,
  batch: { s: SourceSubscriber; contact: Contact }[],
  ids: Remembered,
  report: ImportReport,
): Promise<void> {
  const known = await tx.db
    .selectFrom('subscribers')
    .select(['id', 'kind', 'contact_key', 'state'])
    .where('audience', '=', 'public')
    .where(
      'contact_key',
      'in',
      batch.map((b) => b.contact.key),
    )
    .execute();
  const byKey = new Map(known.map((k) => [`${k.kind}:${k.contact_key}`, k]));
  const now = tx.clock.now().toISOString();
  const rows: SubscriberRow[] = [];
  const links: { subscriber_id: string; component_id: string }[] = [];
  for (const { s, contact } of batch) {
    const key = `${contact.kind}:${contact.key}`;
    const existing = byKey.get(key);
    if (existing) {
      // Already here (or twice in the source): as Crier has them. A pending one is confirmed now.
      if (existing.state === 'pending') {
        await tx.db
          .updateTable('subscribers')
          .set({ state: 'confirmed', confirmed_at: now, updated_at: now })
          .where('id', '=', existing.id)
          .execute();
      }
      await ids.remember('subscriber', s.id, existing.id, null, false);
      continue;
    }
    const components = ids.componentIds(s.component_ids);
    const row: SubscriberRow = {
      id: newId(),
      audience: 'public',
      kind: contact.kind,
      contact: contact.value,
      contact_key: contact.key,
      state: 'confirmed',
      all_components: components.length === 0 ? 1 : 0,
      component_ids: JSON.stringify(components),
      locale: null,
      token: token(),
      confirm_token: null,
      secret: contact.kind === 'webhook' ? newWebhookSecret() : null,
      source: 'import',
      disabled_reason: null,
      created_at: now,
      updated_at: now,
      confirmed_at: now,
      page_links_from: null,
    };
    rows.push(row);
    byKey.set(key, { id: row.id, kind: row.kind, contact_key: row.contact_key, state: 'confirmed' });
    for (const component_id of components) links.push({ subscriber_id: row.id, component_id });
    await ids.remember('subscriber', s.id, row.id, null);
    report.subscribers_by_kind[contact.kind] = (report.subscribers_by_kind[contact.kind] ?? 0) + 1;
  }
  if (rows.length > 0) await tx.db.insertInto('subscribers').values(rows).execute();
  if (links.length > 0) await tx.db.insertInto('subscriber_components').values(links).execute();
  await ids.flush();
}
