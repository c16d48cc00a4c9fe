import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { errorCodes } from '../../src/domain/errors.ts';
import { httpStatusOf } from '../../src/http/errors.ts';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const documented = new Map(
  [...doc.matchAll(/^## `([a-z_]+)` \((\d{3})\)$/gm)].map((m) => [m[1] as string, Number(m[2])]),
);

test('every error code is documented in docs/errors.md with its HTTP status', () => {
  for (const code of errorCodes) {
    assert.ok(documented.has(code), `docs/errors.md has no section for ${code}`);
    assert.equal(documented.get(code), httpStatusOf[code], `docs/errors.md gives ${code} the wrong status`);
  }
});

test('docs/errors.md documents no code the server does not have', () => {
  for (const code of documented.keys()) {
    assert.ok(
      (errorCodes as readonly string[]).includes(code),
      `docs/errors.md documents unknown code ${code}`,
    );
  }
});
