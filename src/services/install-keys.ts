/**
 * Keys of the install's own, by name: each made once at random and kept in
 * the database (`settings`), so every process of one install agrees, and a
 * change of CRIER_SECRET_KEY (rotation, docs/operations.md) leaves what was
 * signed with them working. Feedback links and Mattermost buttons use them.
 */
import { randomBytes } from 'node:crypto';
import type { Db } from '../store/db.ts';

const keys = new WeakMap<Db, Map<string, Promise<Buffer>>>();

export function installKey(db: Db, name: string): Promise<Buffer> {
  let byName = keys.get(db);
  if (!byName) {
    byName = new Map();
    keys.set(db, byName);
  }
  let key = byName.get(name);
  if (!key) {
    key = storedKey(db, name);
    const held = byName;
    key.catch(() => held.delete(name));
    byName.set(name, key);
  }
  return key;
}

async function storedKey(db: Db, name: string): Promise<Buffer> {
  await db
    .insertInto('settings')
    .values({ key: name, value: randomBytes(32).toString('base64') })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db
    .selectFrom('settings')
    .select('value')
    .where('key', '=', name)
    .executeTakeFirstOrThrow();
  return Buffer.from(row.value, 'base64');
}
