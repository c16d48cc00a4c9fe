#!/usr/bin/env -S node --max-semi-space-size=8 --no-allocation-site-pretenuring
// The installed entry point: runs the CLI from its TypeScript source, which
// Node.js 24 executes directly (type stripping).
//
// --max-semi-space-size=8: V8 otherwise lets the young generation grow to
// tens of megabytes, which a fan-out's steady stream of short-lived objects
// fills: about 90 MB of a worker's peak RSS, for no measurable throughput
// (docs/performance.md, fan-out).
//
// --no-allocation-site-pretenuring: V8 otherwise may decide, from when a
// scavenge happened to fall, that the objects Node.js's HTTP server makes for
// each request are long-lived, and allocate them in the old generation from
// then on; the status page's requests then fill it at 80 to 130 bytes each,
// and V8 marks the whole heap again and again under load (docs/performance.md,
// "the page's two states";
// docs/adr/0040-no-allocation-site-pretenuring.md).
//
// Running `node bin/crier.js` or `node src/cli/main.ts` directly, pass the
// flags (or NODE_OPTIONS) yourself.
import '../src/cli/main.ts';
