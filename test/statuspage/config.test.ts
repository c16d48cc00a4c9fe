import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config.ts';

test('page and export settings are read and checked once, with every problem listed', () => {
  const config = loadConfig({
    CRIER_PAGE_NAME: 'Acme Cloud',
    CRIER_PAGE_COLOR: '#7C3AED',
    CRIER_PAGE_LINKS: 'Help=https://help.acme.example, Home=https://acme.example/',
    CRIER_PAGE_TIME_ZONE: 'Europe/Paris',
    CRIER_EXPORT_DIR: 'site',
    CRIER_EXPORT_S3_URL: 'https://s3.eu-west-1.amazonaws.com/status-bucket/',
    CRIER_EXPORT_S3_REGION: 'eu-west-1',
    CRIER_EXPORT_S3_ACCESS_KEY_ID: 'AKID',
    CRIER_EXPORT_S3_SECRET_ACCESS_KEY: 'secret',
  });
  assert.equal(config.page.name, 'Acme Cloud');
  assert.equal(config.page.color, '#7c3aed');
  assert.deepEqual(config.page.links, [
    { label: 'Help', url: 'https://help.acme.example' },
    { label: 'Home', url: 'https://acme.example/' },
  ]);
  assert.equal(config.page.timeZone, 'Europe/Paris');
  assert.ok(config.export.dir?.endsWith('/site'));
  assert.equal(config.export.s3?.url, 'https://s3.eu-west-1.amazonaws.com/status-bucket');

  const defaults = loadConfig({});
  assert.equal(defaults.page.timeZone, 'UTC');
  assert.equal(defaults.export.dir, undefined);
  assert.equal(defaults.export.s3, undefined);

  try {
    loadConfig({
      CRIER_PAGE_TIME_ZONE: 'Mars/Olympus',
      CRIER_PAGE_COLOR: 'red',
      CRIER_PAGE_LINKS: 'Help=javascript:alert(1)',
      CRIER_PAGE_LOGO_URL: 'javascript:alert(1)',
    });
    assert.fail('should have thrown');
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    const keys = err.problems.map((p) => p.split(':')[0]).sort();
    assert.deepEqual(keys, [
      'CRIER_PAGE_COLOR',
      'CRIER_PAGE_LINKS',
      'CRIER_PAGE_LOGO_URL',
      'CRIER_PAGE_TIME_ZONE',
    ]);
  }
  assert.throws(
    () =>
      loadConfig({
        CRIER_EXPORT_S3_URL: 'https://s3.example/bucket',
        CRIER_EXPORT_S3_SECRET_ACCESS_KEY: 'x',
      }),
    /ACCESS_KEY_ID/,
  );
});
