/**
 * The CSV import's bounds through HTTP: a file that cannot be read, or is
 * over CRIER_IMPORT_MAX_BYTES (announced or streamed), is refused whole
 * with the line named, and nothing is imported; the export defuses cells.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { dialects } from '../helpers/db.ts';
import { startTestApp, type TestApp } from '../helpers/http.ts';

const plan = path.join(import.meta.dirname, '../fixtures/plans/delivery.yaml');
const env = { CRIER_PLAN: plan, CRIER_IMPORT_MAX_BYTES: '65536' };

async function subscriberCount(t: TestApp): Promise<number> {
  const row = await t.app.db
    .selectFrom('subscribers')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function importAudits(t: TestApp): Promise<number> {
  return (
    await t.app.db.selectFrom('audit_log').select('id').where('action', '=', 'subscriber.import').execute()
  ).length;
}

for (const dialect of dialects) {
  test(`an unreadable CSV is refused whole, naming the line, and imports nothing [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect, { env });
    try {
      const good = Array.from({ length: 1200 }, (_, i) => `user${i}@example.com`);
      for (const [bad, line, reason] of [
        ['"late@example.com"x', 1202, /text follows a closing quote/],
        ['"never@example.com', 1202, /never closed/],
        ['a@example.com,extra', 1202, /more fields than the header/],
      ] as const) {
        const res = await t.app.server.inject({
          method: 'POST',
          url: '/api/v1/subscribers/import',
          headers: { ...t.auth('admin'), 'content-type': 'text/csv' },
          payload: `email\n${good.join('\n')}\n${bad}\n`,
        });
        assert.equal(res.statusCode, 400, res.body);
        const error = JSON.parse(res.body).error as { code: string; message: string; details: unknown };
        assert.equal(error.code, 'csv_invalid');
        assert.equal((error.details as { line: number }).line, line);
        assert.match(error.message, new RegExp(`at line ${line}:`));
        assert.match((error.details as { reason: string }).reason, reason);
      }
      assert.equal(await subscriberCount(t), 0, 'the 1,200 good rows before the bad one are not imported');
      assert.equal(await importAudits(t), 0);
    } finally {
      await t.close();
    }
  });

  test(`an upload over CRIER_IMPORT_MAX_BYTES gets 413, announced or streamed, and imports nothing [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect, { env });
    try {
      const rows = Array.from({ length: 5000 }, (_, i) => `user${i}@example.com`).join('\n');
      const announced = await t.app.server.inject({
        method: 'POST',
        url: '/api/v1/subscribers/import',
        headers: { ...t.auth('admin'), 'content-type': 'text/csv' },
        payload: `email\n${rows}\n`,
      });
      assert.equal(announced.statusCode, 413, announced.body);
      assert.equal(JSON.parse(announced.body).error.code, 'payload_too_large');
      assert.match(JSON.parse(announced.body).error.message, /CRIER_IMPORT_MAX_BYTES/);

      // Chunked, with no Content-Length: stopped as the bytes pass the limit, over a real socket,
      // and the connection stays usable for the answer.
      await t.app.server.listen({ port: 0, host: '127.0.0.1' });
      const { port } = t.app.server.server.address() as AddressInfo;
      const encoder = new TextEncoder();
      let sent = 0;
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent >= 1_000) return controller.close();
          controller.enqueue(
            encoder.encode(`${sent === 0 ? 'email\n' : ''}${`s${sent}@example.com\n`.repeat(100)}`),
          );
          sent += 1;
        },
      });
      const streamed = await fetch(`http://127.0.0.1:${port}/api/v1/subscribers/import`, {
        method: 'POST',
        headers: { ...t.auth('admin'), 'content-type': 'text/csv' },
        body,
        duplex: 'half',
      } as RequestInit);
      assert.equal(streamed.status, 413);
      const error = ((await streamed.json()) as { error: { code: string; details: { line: number } } }).error;
      assert.equal(error.code, 'payload_too_large');
      assert.ok(error.details.line > 1000, `the line the upload had reached: ${error.details.line}`);
      assert.equal(await subscriberCount(t), 0);
      assert.equal(await importAudits(t), 0);

      const small = await t.app.server.inject({
        method: 'POST',
        url: '/api/v1/subscribers/import',
        headers: { ...t.auth('admin'), 'content-type': 'text/csv' },
        payload: "phone\n'+14155550100\n",
      });
      assert.equal(JSON.parse(small.body).imported, 1, 'the quote the export puts before + is taken off');
    } finally {
      await t.close();
    }
  });

  test(`the export defuses every cell a spreadsheet would run as a formula [${dialect.name}]`, async () => {
    const t = await startTestApp(dialect, { env });
    try {
      for (const email of ['+1+1@example.com', '-2+3@example.com']) {
        const res = await t.app.server.inject({
          method: 'POST',
          url: '/api/v1/subscribers',
          headers: t.auth('admin'),
          payload: { email },
        });
        assert.equal(res.statusCode, 201, res.body);
      }
      const exported = await t.app.server.inject({
        method: 'GET',
        url: '/api/v1/subscribers/export',
        headers: t.auth('admin'),
      });
      const cells = exported.body
        .trim()
        .split('\n')
        .slice(1)
        .flatMap((l) => l.split(','));
      assert.ok(cells.includes("'+1+1@example.com"), exported.body);
      assert.ok(cells.includes("'-2+3@example.com"), exported.body);
      assert.ok(!cells.some((c) => /^[=+\-@\t\r]/.test(c)), exported.body);
    } finally {
      await t.close();
    }
  });
}
