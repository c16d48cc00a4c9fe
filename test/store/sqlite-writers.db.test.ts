import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { openDatabase } from '../../src/store/db.ts';

/**
 * Another process writing to the same SQLite file, as `crier worker` beside `crier serve` does.
 * `ready` resolves just before it writes; `done` once it has.
 */
function writeFromAnotherProcess(file: string): { ready: Promise<void>; done: Promise<string> } {
  const script = `
    const Database = require('better-sqlite3');
    const db = new Database(${JSON.stringify(file)});
    db.pragma('busy_timeout = 5000');
    process.stdout.write('ready;');
    db.prepare("insert into counter (n) values (100)").run();
    process.stdout.write('written');
  `;
  const child = spawn(process.execPath, ['-e', script], { cwd: process.cwd() });
  let out = '';
  let err = '';
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.on('data', (d) => {
    out += d;
    if (out.startsWith('ready;')) onReady();
  });
  child.stderr.on('data', (d) => (err += d));
  const done = new Promise<string>((resolve, reject) =>
    child.on('exit', (code) => (code === 0 ? resolve(out.slice('ready;'.length)) : reject(new Error(err)))),
  );
  return { ready, done };
}

test('a transaction that reads, then writes, is not failed by another process committing in between', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crier-writers-'));
  const file = path.join(dir, 'crier.db');
  const db = openDatabase(`sqlite:${file}`);
  try {
    await sql`create table counter (n integer not null)`.execute(db);
    await sql`insert into counter (n) values (1)`.execute(db);
    let other: Promise<string> | undefined;
    await db.transaction().execute(async (trx) => {
      const before = await sql<{ n: number }>`select sum(n) as n from counter`.execute(trx);
      const writer = writeFromAnotherProcess(file);
      other = writer.done;
      // The other process is about to write while this transaction is open; give it the time to try.
      await writer.ready;
      await new Promise((r) => setTimeout(r, 200));
      // A deferred BEGIN would fail here (SQLITE_BUSY): the other process committed after this read.
      await sql`insert into counter (n) values (${(before.rows[0]?.n ?? 0) + 1})`.execute(trx);
    });
    // The other process waited for the lock, then wrote.
    assert.equal(await other, 'written');
    const rows = await sql<{ n: number }>`select n from counter order by rowid`.execute(db);
    assert.deepEqual(
      rows.rows.map((r) => r.n),
      [1, 2, 100],
    );
  } finally {
    await db.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
