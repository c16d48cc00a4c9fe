/** Posting to the ingest routes in tests, with the documented example payloads in test/fixtures/ingest. */
import { readFileSync } from 'node:fs';
import type { TestApp } from './http.ts';

export function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/ingest/${name}`, import.meta.url), 'utf8');
}

/** A new ingest key for `source`, made through the admin API. */
export async function ingestKey(
  t: TestApp,
  source: string,
): Promise<{ id: string; key: string; path: string }> {
  const res = await t.app.server.inject({
    method: 'POST',
    url: '/api/v1/ingest-keys',
    headers: t.auth('admin'),
    payload: { source },
  });
  if (res.statusCode !== 201)
    throw new Error(`creating an ingest key answered ${res.statusCode} ${res.body}`);
  return res.json();
}

export async function post(
  t: TestApp,
  path: string,
  body: string,
  headers: Record<string, string> = { 'content-type': 'application/json' },
) {
  return t.app.server.inject({ method: 'POST', url: path, headers, payload: body });
}

export async function countRows(t: TestApp, table: 'alerts' | 'ingest_payloads'): Promise<number> {
  const row = await t.app.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
