/** Real Crier processes for end-to-end tests. */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const root = path.resolve(import.meta.dirname, '../..');
export const cliEntry = path.join(root, 'src/cli/main.ts');

export function tempDir(prefix = 'crier-e2e-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `crier <args>` to completion, with `input` (or nothing) on its standard input. */
export function runCli(args: string[], env: Record<string, string>, input?: string): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [cliEntry, ...args],
      // Generous: on a loaded two-core machine one command took over 20 s.
      { env: { ...process.env, ...env }, timeout: 90_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(input ?? '');
  });
}

export interface Server {
  url: string;
  child: ChildProcess;
  logs(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts `crier serve` (or the command `args` name) and waits until /readyz
 * answers on the port given in `portVariable` (`crier worker` listens on
 * CRIER_WORKER_METRICS_PORT). With `nofile`, the process runs with that
 * descriptor limit (`ulimit -n`, through util-linux's prlimit, which execs
 * Crier in its own place: the child's pid is Crier's).
 */
export async function startServer(
  env: Record<string, string>,
  args: string[] = ['serve'],
  portVariable = 'PORT',
  options: { nofile?: number; publicUrlIsServer?: boolean } = {},
): Promise<Server> {
  const port = await freePort();
  const command = [process.execPath, cliEntry, ...args];
  if (options.nofile !== undefined)
    command.unshift('prlimit', `--nofile=${options.nofile}:${options.nofile}`, '--');
  const child = spawn(command[0] as string, command.slice(1), {
    env: {
      ...process.env,
      CRIER_LOG_LEVEL: 'warn',
      HOST: '127.0.0.1',
      [portVariable]: String(port),
      // Links Crier makes (an OpenID redirect) then point where the browser reaches it.
      ...(options.publicUrlIsServer && { CRIER_PUBLIC_URL: `http://127.0.0.1:${port}` }),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => {
    output += d;
  });
  child.stderr?.on('data', (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  // A start takes a second or two; on a machine shared by several test runs (load 20 on two
  // cores) it took more than 20 s, so the wait is for readiness, bounded generously.
  const started = Date.now();
  const deadline = started + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`crier exited early (${child.exitCode}):\n${output}`);
    try {
      const res = await fetch(`${url}/readyz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`crier did not become ready in ${Date.now() - started} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    child,
    logs: () => output,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
