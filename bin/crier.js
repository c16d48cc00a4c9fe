#!/usr/bin/env node
// The installed entry point: runs the CLI from its TypeScript source, which
// Node.js 24 executes directly (type stripping).
import '../src/cli/main.ts';
