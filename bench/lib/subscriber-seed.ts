/**
 * The fan-out benchmarks' subscribers: `n` confirmed ones of one kind,
 * following every component, written straight into the table (as an import
 * leaves them) 250 rows to a statement, within SQLite's and PostgreSQL's
 * limits on parameters.
 */
import type { Db } from '../../src/store/db.ts';
import { newId } from '../../src/store/ids.ts';

/** The secret every benchmark webhook is signed with. */
const webhookSecret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
const rowsPerInsert = 250;

/** Writes `n` confirmed subscribers of `kind`; the `i`th (from 0) is reached at `contactOf(i)`. */
export async function seedSubscribers(
  db: Db,
  n: number,
  kind: 'email' | 'webhook',
  contactOf: (i: number) => string,
): Promise<void> {
  const now = new Date().toISOString();
  for (let i = 0; i < n; i += rowsPerInsert) {
    const rows = [];
    for (let j = i; j < Math.min(n, i + rowsPerInsert); j++) {
      const contact = contactOf(j);
      rows.push({
        id: newId(),
        audience: 'public',
        kind,
        contact,
        contact_key: contact,
        state: 'confirmed' as const,
        all_components: 1,
        component_ids: '[]',
        locale: null,
        token: `${newId()}${newId()}`,
        confirm_token: null,
        secret: kind === 'webhook' ? webhookSecret : null,
        source: 'import' as const,
        disabled_reason: null,
        created_at: now,
        updated_at: now,
        confirmed_at: now,
      });
    }
    await db.insertInto('subscribers').values(rows).execute();
  }
}
