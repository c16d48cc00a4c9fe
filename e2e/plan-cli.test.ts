import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = new URL('../', import.meta.url).pathname;
const cli = path.join(root, 'src/cli/main.ts');
const env = { PATH: process.env.PATH ?? '', CRIER_LOG_LEVEL: 'silent', HOME: process.env.HOME ?? '/tmp' };

async function crier(args: string[], extraEnv: Record<string, string> = {}, cwd = root) {
  try {
    const r = await run(process.execPath, [cli, ...args], { cwd, env: { ...env, ...extraEnv } });
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

test('crier plan check passes the examples and names every problem of a broken plan, exiting 1', async () => {
  for (const f of ['small-saas.yaml', 'b2b-enterprise.yaml', 'regulated-fintech.yaml']) {
    const r = await crier(['plan', 'check', '--skip-secrets', `examples/${f}`]);
    assert.equal(r.code, 0, `${f}: ${r.stdout}${r.stderr}`);
    assert.match(r.stdout, /: OK/);
  }
  const broken = await crier(['plan', 'check', 'test/fixtures/plans/broken.yaml']);
  assert.equal(broken.code, 1);
  assert.match(broken.stdout, /broken\.yaml:8:20: severities\.SEV1\.remind_before: /);
  assert.match(broken.stdout, /channels\.email\.url: environment variable BROKEN_SMTP_URL is not set/);
  assert.match(broken.stdout, /scenarios\.vague\.templates\.resolved: missing_recovery: /);
  assert.match(broken.stdout, /18 problems in/);
  const withSecret = await crier(['plan', 'check', 'examples/small-saas.yaml'], {
    SMTP_URL: 'smtp://localhost',
    SLACK_INTERNAL_WEBHOOK: 'https://hooks.example/a',
    SLACK_SUPPORT_WEBHOOK: 'https://hooks.example/b',
  });
  assert.equal(withSecret.code, 0, withSecret.stdout);
});

test('crier plan check refuses, by name, what Crier does not do yet', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'crier-not-yet-'));
  const file = path.join(dir, 'crier.yaml');
  const text = readFileSync(path.join(root, 'examples/b2b-enterprise.yaml'), 'utf8')
    .replace('    channels: [email, sms, webhook]', '    channels: [email, sms, webhook, feed]')
    .replace(
      'channels:\n  email:',
      'channels:\n  calls: { type: voice }\n  apps: { type: mobile-push }\n  email:',
    );
  writeFileSync(file, text);
  const r = await crier(['plan', 'check', '--skip-secrets', file]);
  assert.equal(r.code, 1, r.stdout);
  assert.match(
    r.stdout,
    /audiences\.enterprise\.channels\.3: a status page or feed of its own for an audience other than public is not supported yet/,
  );
  assert.match(r.stdout, /channels\.calls\.type: channel type "voice" is not supported yet/);
  assert.match(r.stdout, /channels\.apps\.type: channel type "mobile-push" is not supported yet/);
  assert.match(r.stdout, /3 problems in/);
});

test('crier init writes a plan that passes crier plan check, and will not overwrite it', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'crier-init-'));
  const init = await crier(['init', 'crier.yaml'], {}, dir);
  assert.equal(init.code, 0, init.stderr);
  assert.match(readFileSync(path.join(dir, 'crier.yaml'), 'utf8'), /^# crier\.yaml/);
  const check = await crier(['plan', 'check', 'crier.yaml'], {}, dir);
  assert.equal(check.code, 0, check.stdout);
  const again = await crier(['init', 'crier.yaml'], {}, dir);
  assert.equal(again.code, 2);
  assert.match(again.stderr, /exists; pass --force/);
});

test('crier plan schema prints the JSON Schema that docs/crier.schema.json holds', async () => {
  const r = await crier(['plan', 'schema']);
  assert.equal(r.code, 0);
  const printed = JSON.parse(r.stdout) as { title: string };
  assert.match(printed.title, /crier\.yaml/);
  assert.deepEqual(JSON.parse(readFileSync(path.join(root, 'docs/crier.schema.json'), 'utf8')), printed);
});
