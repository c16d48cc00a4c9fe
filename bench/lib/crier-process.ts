/**
 * How the benchmarks start `crier`: as the installed command runs it, with
 * the Node.js flags its entry point (bin/crier.js) names on its `#!` line,
 * so a benchmark measures the heap settings production has.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const bin = path.resolve(import.meta.dirname, '../../bin/crier.js');

/** `node` arguments that run `crier <args>`: the entry point's flags, the entry point, the arguments. */
export function crierArgs(args: string[]): string[] {
  const shebang = readFileSync(bin, 'utf8').split('\n')[0] ?? '';
  const flags = shebang.split(/\s+/).filter((word) => word.startsWith('--'));
  return [...flags, bin, ...args];
}
