/**
 * The `crier` command tree: every command and subcommand answers `--help` on standard output
 * and exits 0 without doing anything else — no database file created, no port bound, no
 * request sent — and the documented exit codes hold. The tree is walked as the program
 * builds it, so a new command is covered without a list to keep.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import type { Command } from 'commander';
import { buildProgram } from '../src/cli/program.ts';
import { cliEntry, root, tempDir } from './helpers/process.ts';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let dir: string;
let requests: string[];
let recorder: http.Server;
let env: Record<string, string>;

before(async () => {
  dir = tempDir('crier-cli-tree-');
  requests = [];
  // Stands where the API would be, and where serve would listen: anything reaching it is a side effect.
  recorder = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => recorder.listen(0, '127.0.0.1', resolve));
  const { port } = recorder.address() as AddressInfo;
  env = {
    CRIER_DATA_DIR: dir,
    CRIER_DATABASE_URL: `sqlite:${path.join(dir, 'crier.db')}`,
    CRIER_PLAN: path.join(dir, 'crier.yaml'),
    CRIER_URL: `http://127.0.0.1:${port}`,
    CRIER_TOKEN: 'cli-tree-token-0123456789',
    HOST: '127.0.0.1',
    // Taken: a command that tried to listen would fail instead of exiting 0.
    PORT: String(port),
    CRIER_WORKER_METRICS_PORT: String(port),
    CRIER_LOG_LEVEL: 'silent',
  };
});
after(() => new Promise<void>((resolve) => recorder.close(() => resolve())));

function crier(args: string[], input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cliEntry, ...args],
      { cwd: dir, env: { ...process.env, ...env }, timeout: 60_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(input ?? '');
  });
}

function commandPaths(command: Command, prefix: string[] = []): string[][] {
  return command.commands.flatMap((c) => {
    const here = [...prefix, c.name()];
    return [here, ...commandPaths(c, here)];
  });
}

test('every command and subcommand answers --help on stdout, exits 0, and does nothing else', async () => {
  const paths = [[], ...commandPaths(buildProgram())];
  assert.ok(paths.length > 40, `the whole tree: ${paths.length} commands`);
  for (const expected of [['serve'], ['migrate'], ['subscribers', 'import'], ['deliveries', 'replay']]) {
    assert.ok(
      paths.some((p) => p.join(' ') === expected.join(' ')),
      `${expected.join(' ')} is in the tree`,
    );
  }
  const queue = [...paths];
  const failures: string[] = [];
  const worker = async () => {
    for (let p = queue.shift(); p !== undefined; p = queue.shift()) {
      const r = await crier([...p, '--help']);
      const name = ['crier', ...p].join(' ');
      if (r.code !== 0) failures.push(`${name} --help exited ${r.code}: ${r.stderr}`);
      else if (!r.stdout.startsWith(`Usage: ${name}`)) failures.push(`${name} --help printed: ${r.stdout}`);
      else if (r.stderr !== '') failures.push(`${name} --help wrote to stderr: ${r.stderr}`);
    }
  };
  await Promise.all([worker(), worker(), worker()]);
  assert.deepEqual(failures, []);
  assert.deepEqual(readdirSync(dir), [], 'no file created (no database, no plan)');
  assert.deepEqual(requests, [], 'no request sent, nothing listened on the port');
});

test('the documented exit codes: 0 answers, 2 usage errors, 78 bad configuration, 1 refused', async () => {
  const version = await crier(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);

  const bare = await crier([]);
  assert.equal(bare.code, 2, 'no command is a usage error');
  assert.match(bare.stderr, /^Usage: crier/);
  for (const args of [
    ['bogus'],
    ['incident', 'declare'],
    ['incident', 'list', '--bogus'],
    ['token', 'create', '--role', 'emperor', '--name', 'x'],
    ['deliveries'],
    ['deliveries', 'replay'],
    ['subscribers', 'add', '--email', 'a@example.com', '--phone', '+14155550100'],
  ]) {
    const r = await crier(args);
    assert.equal(r.code, 2, `crier ${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^(crier: |Usage: )/m, `crier ${args.join(' ')} says why`);
  }
  assert.deepEqual(requests, [], 'a usage error sends nothing');

  const refused = await crier(['component', 'list']);
  assert.equal(refused.code, 1, 'the API answered 500: a failed request');
  assert.deepEqual(requests, ['GET /api/v1/components']);
  requests.length = 0;
});

test('a bad configuration exits 78 and names the variable', async () => {
  const r = await new Promise<Run>((resolve) =>
    execFile(
      process.execPath,
      [cliEntry, 'migrate'],
      { cwd: dir, env: { ...process.env, ...env, PORT: 'not-a-port' } },
      (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    ),
  );
  assert.equal(r.code, 78);
  assert.match(r.stderr, /PORT/);
});

test('- reads a file argument from standard input', async () => {
  const plan = (await import('node:fs')).readFileSync(path.join(root, 'examples/small-saas.yaml'), 'utf8');
  const good = await crier(['plan', 'check', '-', '--skip-secrets'], plan);
  assert.equal(good.code, 0, good.stderr + good.stdout);
  assert.match(good.stdout, /^\(stdin\): OK/m);
  const bad = await crier(['plan', 'check', '-', '--skip-secrets', '--json'], 'version: 1\nseverities: 3\n');
  assert.equal(bad.code, 1);
  const answer = JSON.parse(bad.stdout) as { ok: boolean; file: string; problems: unknown[] };
  assert.equal(answer.ok, false);
  assert.equal(answer.file, '(stdin)');
  assert.ok(answer.problems.length > 0);
});

test('shell completion: scripts for bash and zsh, and answers from the command tree', async () => {
  const bash = await crier(['completion', 'bash']);
  assert.equal(bash.code, 0);
  assert.match(bash.stdout, /crier complete --/);
  const file = path.join(tempDir('crier-completion-'), 'crier.bash');
  writeFileSync(file, bash.stdout);
  const syntax = await new Promise<number>((resolve) =>
    execFile('bash', ['-n', file], (err) => resolve(err ? 1 : 0)),
  );
  assert.equal(syntax, 0, 'the bash script parses');
  const zsh = await crier(['completion', 'zsh']);
  assert.equal(zsh.code, 0);
  assert.match(zsh.stdout, /^#compdef crier/);

  const words = async (...args: string[]) =>
    (await crier(['complete', '--', ...args])).stdout
      .split('\n')
      .filter((l) => l && !l.startsWith(':'))
      .map((l) => l.split('\t')[0]);
  assert.deepEqual(await words('inc'), ['incident']);
  assert.ok((await words('subscribers', '')).includes('import'));
  assert.ok((await words('deliveries', 'replay', '--')).includes('--incident'));
  assert.deepEqual(await words('token', 'create', '--role', 'comms'), ['comms_lead']);
  assert.deepEqual(requests, []);
});
