/**
 * `npm run bench -- <name>` runs bench/<name>.ts; with no name, every
 * benchmark in bench/ one after the other. Each runs in its own process so
 * one benchmark's heap and timers cannot colour the next one's figures.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

const dir = import.meta.dirname;
const available = readdirSync(dir)
  .filter((f) => f.endsWith('.ts') && f !== 'run.ts')
  .map((f) => f.slice(0, -'.ts'.length))
  .sort();

const [name, ...rest] = process.argv.slice(2);
if (name !== undefined && !available.includes(name)) {
  process.stderr.write(`Unknown benchmark "${name}". Available: ${available.join(', ')}\n`);
  process.exit(2);
}
let failed = 0;
for (const bench of name ? [name] : available) {
  process.stdout.write(`\n=== bench/${bench}.ts ===\n`);
  const result = spawnSync(process.execPath, [path.join(dir, `${bench}.ts`), ...rest], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
