#!/usr/bin/env node
// Thin launcher (CommonJS: bin/package.json says so, sparing the ES module loader's start-up).
// The real CLI is compiled to dist/cli/; boot.cjs runs it with a code cache.
require('../dist/cli/boot.cjs');
