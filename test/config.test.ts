import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../src/config.ts';
import { redactUrl } from '../src/http/redact.ts';

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

test('X-Forwarded-For is believed only from proxies named in CRIER_TRUST_PROXY', () => {
  assert.equal(loadConfig({}).trustProxy, false);
  assert.equal(loadConfig({ CRIER_TRUST_PROXY: 'true' }).trustProxy, true);
  assert.equal(loadConfig({ CRIER_TRUST_PROXY: '2' }).trustProxy, 2);
  assert.deepEqual(loadConfig({ CRIER_TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy, [
    '10.0.0.0/8',
    '127.0.0.1',
  ]);
  assert.throws(() => loadConfig({ CRIER_TRUST_PROXY: 'everyone' }), /CRIER_TRUST_PROXY/);
});

test("the worker's metrics port is off unless set, and must be a port number", () => {
  assert.equal(loadConfig({}).workerMetricsPort, undefined);
  assert.equal(loadConfig({ CRIER_WORKER_METRICS_PORT: '9464' }).workerMetricsPort, 9464);
  for (const bad of ['metrics', '70000', '-1', '8.5'])
    assert.throws(() => loadConfig({ CRIER_WORKER_METRICS_PORT: bad }), /CRIER_WORKER_METRICS_PORT/);
});

test('an S3 export with one key of the pair, or no bucket, is listed with the other bad variables', () => {
  assert.throws(
    () =>
      loadConfig({
        CRIER_EXPORT_S3_URL: 'https://s3.example/bucket',
        CRIER_EXPORT_S3_ACCESS_KEY_ID: 'AKID',
        PORT: 'x',
      }),
    (err: unknown) => err instanceof ConfigError && err.problems.length === 2,
  );
  assert.throws(
    () => loadConfig({ CRIER_EXPORT_S3_URL: 'https://bucket.example/' }),
    /CRIER_EXPORT_S3_URL: must name the bucket/,
  );
  // Without keys, the AWS SDK's default chain finds credentials.
  const chain = loadConfig({ CRIER_EXPORT_S3_URL: 'https://s3.example/bucket' });
  assert.equal(chain.export.s3?.accessKeyId, undefined);
  assert.equal(chain.export.s3?.url, 'https://s3.example/bucket');
});

test('secret tokens in paths are not written to the logs', () => {
  assert.equal(redactUrl('/unsubscribe/abc123?x=1'), '/unsubscribe/[redacted]?x=1');
  assert.equal(redactUrl('/confirm/abc123'), '/confirm/[redacted]');
  assert.equal(redactUrl('/ingest/alertmanager/tok'), '/ingest/alertmanager/[redacted]');
  assert.equal(redactUrl('/incidents/abc'), '/incidents/abc');
});

test('single sign-on: issuer and client go together, roles are pairs; unset, there is none', () => {
  assert.equal(loadConfig({}).oidc, undefined);
  const c = loadConfig({
    CRIER_OIDC_ISSUER: 'https://id.acme.example',
    CRIER_OIDC_CLIENT_ID: 'crier',
    CRIER_OIDC_CLIENT_SECRET: 's3cret',
    CRIER_OIDC_ROLES: 'comms = comms_lead, Ops Team=incident_lead',
  });
  assert.deepEqual(c.oidc?.roles, { comms: 'comms_lead', 'Ops Team': 'incident_lead' });
  assert.equal(c.oidc?.roleClaim, 'groups');
  assert.throws(
    () => loadConfig({ CRIER_OIDC_ISSUER: 'https://id.acme.example', CRIER_OIDC_ROLES: 'comms' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      const text = err.problems.join('\n');
      assert.match(text, /CRIER_OIDC_CLIENT_ID: CRIER_OIDC_ISSUER and CRIER_OIDC_CLIENT_ID go together/);
      assert.match(text, /CRIER_OIDC_ROLES: must be claim values and roles/);
      return true;
    },
  );
});

test('previous secret keys: a list of 16+ characters each', () => {
  const c = loadConfig({
    CRIER_SECRET_KEY: 'the-current-key-000',
    CRIER_SECRET_KEY_PREVIOUS: ' older-key-00000001 , oldest-key-0000002 ',
  });
  assert.deepEqual(c.previousSecretKeys, ['older-key-00000001', 'oldest-key-0000002']);
  assert.deepEqual(loadConfig({}).previousSecretKeys, []);
  assert.throws(
    () =>
      loadConfig({
        CRIER_SECRET_KEY: 'the-current-key-000',
        CRIER_SECRET_KEY_PREVIOUS: 'older-key-00000001,short',
      }),
    (err: unknown) => err instanceof ConfigError && /CRIER_SECRET_KEY_PREVIOUS/.test(err.problems.join('\n')),
  );
});

test('previous secret keys without a current one are refused at start, with the other problems', () => {
  assert.throws(
    () => loadConfig({ CRIER_SECRET_KEY_PREVIOUS: 'older-key-00000001', PORT: 'http' }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.match(err.problems.join('\n'), /CRIER_SECRET_KEY_PREVIOUS: needs CRIER_SECRET_KEY/);
      assert.match(err.problems.join('\n'), /PORT/);
      return true;
    },
  );
  // An empty value is unset, as elsewhere.
  assert.deepEqual(loadConfig({ CRIER_SECRET_KEY_PREVIOUS: '' }).previousSecretKeys, []);
});
