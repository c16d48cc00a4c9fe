/**
 * What the console's first load weighs: its one script and its one
 * stylesheet (a page itself is server-rendered HTML), raw and compressed
 * with gzip and Brotli at their highest levels, as a proxy in front of
 * Crier would send them. The goal is at most 200 kB of JavaScript
 * compressed; the figures are in docs/console.md.
 */
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { consoleJs } from '../src/http/console/script.ts';
import { consoleCss } from '../src/http/console/style.ts';

function sizes(name: string, text: string): void {
  const raw = Buffer.from(text);
  const gzip = gzipSync(raw, { level: 9 }).length;
  const brotli = brotliCompressSync(raw, {
    params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY },
  }).length;
  process.stdout.write(
    `${name.padEnd(12)} raw ${String(raw.length).padStart(6)} B   gzip ${String(gzip).padStart(5)} B   brotli ${String(brotli).padStart(5)} B\n`,
  );
}

sizes('console.js', consoleJs);
sizes('console.css', consoleCss);
