/** Which standard OpenTelemetry variables turn traces on, where spans go, and what is refused at start. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { traceSettings } from '../../src/cli/traces.ts';
import { ConfigError, loadConfig } from '../../src/config.ts';

const settings = (env: Record<string, string>) => traceSettings(loadConfig(env));

test('traces are off unless an OTLP endpoint is named, and off when disabled', () => {
  assert.equal(settings({}), undefined);
  assert.equal(settings({ OTEL_SERVICE_NAME: 'status' }), undefined);
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };
  assert.equal(settings({ ...endpoint, OTEL_SDK_DISABLED: 'true' }), undefined);
  assert.equal(settings({ ...endpoint, OTEL_TRACES_EXPORTER: 'none' }), undefined);
});

test('the base endpoint gets /v1/traces; the traces endpoint is used as given and wins', () => {
  assert.deepEqual(settings({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }), {
    url: 'http://collector:4318/v1/traces',
    serviceName: 'crier',
  });
  assert.deepEqual(
    settings({
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://traces.example.com/otlp/spans',
      OTEL_SERVICE_NAME: 'crier-eu',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
    }),
    { url: 'https://traces.example.com/otlp/spans', serviceName: 'crier-eu' },
  );
});

test('a protocol, exporter or endpoint Crier cannot use is refused at start, each named', () => {
  assert.throws(
    () =>
      settings({
        OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4317',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
        OTEL_TRACES_EXPORTER: 'zipkin',
      }),
    (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      const text = err.problems.join('\n');
      assert.match(text, /OTEL_EXPORTER_OTLP_ENDPOINT: must be an http\(s\) URL/);
      assert.match(text, /OTEL_EXPORTER_OTLP_PROTOCOL: must be http\/json/);
      assert.match(text, /OTEL_TRACES_EXPORTER: must be otlp or none/);
      return true;
    },
  );
});
