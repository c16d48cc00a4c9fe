import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

/** Libraries only some plans or requests use, loaded on first use (src/domain/first-use.ts says why). */
const loadedOnFirstUse = [
  '@nlpjs/core',
  '@nlpjs/lang-en',
  '@nlpjs/lang-fr',
  '@nlpjs/sentiment',
  'twitter-text',
  '@slack/web-api',
  'cron-parser',
  'openid-client',
  'libphonenumber-js',
  'web-push',
  '@atproto/api',
  'twitter-api-v2',
  '@aws-sdk/client-sesv2',
];

test('importing the composition root loads none of the libraries kept for first use', () => {
  const root = path.resolve(import.meta.dirname, '..');
  // Lists the packages of every module loaded, by ESM import or require.
  const script = `
    import { registerHooks } from 'node:module';
    const packages = new Set();
    registerHooks({
      load(url, context, next) {
        const m = url.match(/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\/(?!.*node_modules)/);
        if (m) packages.add(m[1]);
        return next(url, context);
      },
    });
    await import(${JSON.stringify(path.join(root, 'src/app.ts'))});
    process.stdout.write(JSON.stringify([...packages]));
  `;
  const loaded = JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
  ) as string[];
  assert.ok(loaded.includes('kysely'), `the listing sees packages: ${loaded.join(', ')}`);
  assert.deepEqual(
    loadedOnFirstUse.filter((name) => loaded.includes(name)),
    [],
  );
});
