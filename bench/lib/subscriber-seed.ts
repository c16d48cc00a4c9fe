/**
 * The fan-out benchmarks' subscribers: `n` confirmed ones of one kind,
 * following every component, written straight into the table as an import
 * leaves them (the rows the tests load in bulk), 250 rows to a statement,
 * within SQLite's and PostgreSQL's limits on parameters.
 */
import type { Db } from '../../src/store/db.ts';
import { confirmedSubscriber } from '../../test/helpers/db.ts';

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
  for (let i = 0; i < n; i += rowsPerInsert) {
    const rows = [];
    for (let j = i; j < Math.min(n, i + rowsPerInsert); j++) {
      rows.push(confirmedSubscriber(kind, contactOf(j), kind === 'webhook' ? webhookSecret : null));
    }
    await db.insertInto('subscribers').values(rows).execute();
  }
}
