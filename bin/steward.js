#!/usr/bin/env node
// Thin launcher (CommonJS: bin/package.json says so, sparing the ES module loader's start-up).
// `steward ls`, `jlist` and `ping` alone take the small fast-path bundle (src/cli/fast.ts); the rest
// runs the full CLI with a code cache (src/cli/boot.ts). The list is src/cli/fast-commands.ts's,
// repeated here so that the fast path loads one file (a unit test keeps the two lists equal).
const FAST = ['ls', 'list', 'l', 'ps', 'status', 'jlist', 'ping'];
const args = process.argv;
if (args.length === 3 && FAST.includes(args[2]) && process.env.STEWARD_FAST !== '0') {
  require('../dist/cli/fast.cjs');
} else {
  require('../dist/cli/boot.cjs');
}
