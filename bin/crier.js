#!/usr/bin/env -S node --max-semi-space-size=8
// The installed entry point: runs the CLI from its TypeScript source, which
// Node.js 24 executes directly (type stripping).
//
// --max-semi-space-size=8: V8 otherwise lets the young generation grow to
// tens of megabytes, which a fan-out's steady stream of short-lived objects
// fills: about 90 MB of a worker's peak RSS, for no measurable throughput
// (docs/performance.md, fan-out). Running `node bin/crier.js` or
// `node src/cli/main.ts` directly, pass the flag (or NODE_OPTIONS) yourself.
import '../src/cli/main.ts';
