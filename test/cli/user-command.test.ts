/**
 * `crier user …` as a person runs it: a real process on a real SQLite file.
 * The invitation it prints works, `--password-stdin` sets a password that
 * signs in, and the other subcommands change what `list` shows.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createApp } from '../../src/app.ts';
import { silentLog, testConfig } from '../helpers/db.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function crier(env: Record<string, string>, args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      ['src/cli/main.ts', ...args],
      { env: { PATH: process.env.PATH ?? '', ...env } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(stdin ?? '');
  });
}

// Eight CLI processes, each starting Node and opening the database: minutes on a loaded machine.
test('crier user add | list | set-role | remove, and the link and password they give', {
  timeout: 300_000,
}, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crier-user-'));
  const env = {
    CRIER_DATABASE_URL: `sqlite:${join(dir, 'crier.db')}`,
    CRIER_PUBLIC_URL: 'https://status.acme.example',
    CRIER_DEMO: 'false',
    CRIER_LOG_LEVEL: 'silent',
  };
  try {
    const usage = await crier(env, ['user', 'add', 'carol@acme.example']);
    assert.equal(usage.code, 2, 'no role: a usage error');
    assert.match(usage.stderr, /--role <role>/);

    const invited = await crier(env, [
      'user',
      'add',
      'carol@acme.example',
      '--role',
      'comms_lead',
      '--name',
      'Carol',
    ]);
    assert.equal(invited.code, 0, invited.stderr);
    const link = /https:\/\/status\.acme\.example\/console\/invitation\/[\w-]+/.exec(invited.stdout)?.[0];
    assert.ok(link, invited.stdout);
    assert.match(invited.stdout, /valid 24 hours, once/);

    const tooShort = await crier(
      env,
      ['user', 'add', 'ops@acme.example', '--role', 'admin', '--password-stdin'],
      'short\n',
    );
    assert.equal(tooShort.code, 2);
    assert.match(tooShort.stderr, /at least 12 characters/);
    const direct = await crier(
      env,
      ['user', 'add', 'ops@acme.example', '--role', 'admin', '--password-stdin', '--json'],
      'a long enough secret\n',
    );
    assert.equal(direct.code, 0, direct.stderr);
    assert.equal(JSON.parse(direct.stdout).invitation_url, null);

    assert.equal((await crier(env, ['user', 'set-role', 'carol@acme.example', 'incident_lead'])).code, 0);
    const list = await crier(env, ['user', 'list', '--json']);
    const users = JSON.parse(list.stdout) as { email: string; role: string; state: string; name: string }[];
    assert.deepEqual(
      users.map((u) => [u.email, u.name, u.role, u.state]),
      [
        ['carol@acme.example', 'Carol', 'incident_lead', 'invited'],
        ['ops@acme.example', 'ops', 'admin', 'active'],
      ],
    );

    // The server on the same database honours both: the link and the password.
    const app = await createApp(testConfig({ ...env, PORT: '0' }), { log: silentLog, timers: false });
    try {
      const page = await app.server.inject({ method: 'GET', url: new URL(link).pathname });
      assert.equal(page.statusCode, 200);
      const signIn = await app.server.inject({
        method: 'POST',
        url: '/console/sign-in',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          origin: 'https://status.acme.example',
        },
        payload: new URLSearchParams({
          email: 'ops@acme.example',
          password: 'a long enough secret',
        }).toString(),
      });
      assert.equal(signIn.statusCode, 303, signIn.body);
      assert.match(String(signIn.headers['set-cookie']), /; Secure/, 'Secure on an https public URL');
    } finally {
      await app.close();
    }

    const removed = await crier(env, ['user', 'remove', 'carol@acme.example']);
    assert.equal(removed.code, 0);
    assert.match(removed.stdout, /Removed carol@acme\.example/);
    const gone = await crier(env, ['user', 'set-role', 'carol@acme.example', 'viewer']);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /No user is carol@acme\.example/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
