import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';

test('defaults: port 8080, SQLite under ./data, demo on, private networks refused', () => {
  const c = loadConfig({});
  assert.equal(c.port, 8080);
  assert.equal(c.databaseUrl, `sqlite:${path.resolve('data/crier.db')}`);
  assert.equal(c.demo, true);
  assert.equal(c.allowPrivateNetwork, false);
  assert.ok(Object.isFrozen(c));
});

test('every bad variable is named at once', () => {
  assert.throws(
    () =>
      loadConfig({
        PORT: 'http',
        CRIER_DATABASE_URL: 'mysql://x',
        CRIER_ADMIN_TOKEN: 'short',
        CRIER_DEMO: 'maybe',
      }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      const text = err.problems.join('\n');
      for (const name of ['PORT', 'CRIER_DATABASE_URL', 'CRIER_ADMIN_TOKEN', 'CRIER_DEMO'])
        assert.match(text, new RegExp(name));
      return true;
    },
  );
});

test('empty values count as unset', () => {
  assert.equal(loadConfig({ PORT: '', CRIER_DEMO: '' }).port, 8080);
});
