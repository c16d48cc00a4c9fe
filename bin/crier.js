#!/usr/bin/env -S node --max-semi-space-size=8 --no-allocation-site-pretenuring
// The installed entry point: runs the CLI from its TypeScript source, which
// Node.js 24 executes directly (type stripping).
//
// --max-semi-space-size=8: V8 otherwise lets the young generation grow to
// tens of megabytes, which a fan-out's steady stream of short-lived objects
// fills: about 90 MB of a worker's peak RSS, for no measurable throughput
// (docs/performance.md, fan-out).
//
// --no-allocation-site-pretenuring: V8 otherwise decides that some of a
// fan-out's allocation sites make long-lived objects and allocates them in
// the old generation, which then fills at 12-20 MB a second with objects
// that die soon after: 100,000 emails peaked at 325 MB instead of 255 MB,
// and spent more CPU per message (docs/adr/0042-no-allocation-site-
// pretenuring-for-fan-out.md).
//
// Running `node bin/crier.js` or `node src/cli/main.ts` directly, pass the
// flags yourself.
import '../src/cli/main.ts';
