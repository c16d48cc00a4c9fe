import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';

const root = path.resolve(import.meta.dirname, '..');

/** What importing `entry` (a path under the repository) loads: the packages, and the files of src/. */
function loadedBy(entry: string): { packages: string[]; sources: string[] } {
  // Lists every module loaded, by ESM import or require.
  const script = `
    import { registerHooks } from 'node:module';
    const packages = new Set();
    const sources = new Set();
    registerHooks({
      load(url, context, next) {
        const m = url.match(/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\/(?!.*node_modules)/);
        if (m) packages.add(m[1]);
        else if (url.startsWith(${JSON.stringify(`file://${root}/src/`)}))
          sources.add(url.slice(${JSON.stringify(`file://${root}/`)}.length));
        return next(url, context);
      },
    });
    await import(${JSON.stringify(path.join(root, entry))});
    process.stdout.write(JSON.stringify({ packages: [...packages], sources: [...sources] }));
  `;
  return JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' }),
  );
}

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
  const { packages } = loadedBy('src/app.ts');
  assert.ok(packages.includes('kysely'), `the listing sees packages: ${packages.join(', ')}`);
  assert.deepEqual(
    loadedOnFirstUse.filter((name) => packages.includes(name)),
    [],
  );
});

/**
 * `crier worker` runs no API, status page or console: its command and composition root
 * (src/worker.ts) load none of their modules or libraries, which an idle worker would otherwise
 * hold for nothing (docs/performance.md, "Scaling out": about 15 MiB of RSS).
 */
test('`crier worker` loads neither the HTTP app nor its libraries', () => {
  const serve = loadedBy('src/cli/commands/serve.ts');
  const worker = loadedBy('src/cli/commands/worker-command.ts');
  // What the HTTP app is made of, as `crier serve` loads it: the listing would see it.
  const httpApp = (s: string) =>
    s === 'src/app.ts' ||
    s === 'src/http/server.ts' ||
    /^src\/(statuspage|http\/console|http\/admin|http\/public|ingest)\//.test(s);
  const httpLibraries = (p: string) =>
    p === 'fastify' || p.startsWith('@fastify/') || p.startsWith('fastify-');
  assert.ok(serve.sources.some(httpApp) && serve.packages.some(httpLibraries), 'serve loads the HTTP app');
  assert.ok(
    worker.sources.includes('src/worker.ts') && worker.sources.includes('src/delivery/wiring.ts'),
    `the listing sees the worker's sources: ${worker.sources.join(', ')}`,
  );
  assert.deepEqual(worker.sources.filter(httpApp), []);
  assert.deepEqual(worker.packages.filter(httpLibraries), []);
  // The OpenTelemetry SDK comes with traces turned on (src/cli/traces-sdk.ts); the API is small.
  assert.deepEqual(
    worker.packages.filter((p) => p.startsWith('@opentelemetry/') && p !== '@opentelemetry/api'),
    [],
  );
  assert.deepEqual(
    loadedOnFirstUse.filter((name) => worker.packages.includes(name)),
    [],
  );
});
