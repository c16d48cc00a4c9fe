/**
 * Files in src/ stay small enough to read in one sitting: none over 400
 * lines (STYLE.md: past 400, split by concept). A generated file says so in
 * its first line and is not read by people, so it does not count.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';

const src = path.join(import.meta.dirname, '..', 'src');
const MAX_LINES = 400;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

test(`no file in src/ is over ${MAX_LINES} lines`, () => {
  const files = sources(src);
  assert.ok(files.length > 100, 'the walk found the sources');
  const long = files
    .map((file) => ({ file: path.relative(src, file), text: readFileSync(file, 'utf8') }))
    .filter(({ text }) => !text.startsWith('/* Generated'))
    .map(({ file, text }) => ({ file, lines: text.split('\n').length - (text.endsWith('\n') ? 1 : 0) }))
    .filter(({ lines }) => lines > MAX_LINES);
  assert.deepEqual(long, [], 'split these by concept');
});
