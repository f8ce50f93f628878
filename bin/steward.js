#!/usr/bin/env node
// Thin launcher (CommonJS: bin/package.json says so, sparing the ES module loader's start-up).
// `steward ls`, `jlist` and `ping` alone take the small fast-path bundle (src/cli/fast.ts); the rest
// runs the full CLI with a code cache (src/cli/boot.ts). The list is src/cli/fast-commands.ts's,
// repeated here so that the fast path loads one file (a unit test keeps the two lists equal).
const FAST = ['ls', 'list', 'l', 'ps', 'status', 'jlist', 'ping'];
const args = process.argv;

/**
 * The fast path talks to the local daemon only: a remote host (STEWARD_HOST, STEWARD_CONTEXT, or a
 * contexts file that may name a current context: src/remote/endpoint.ts) takes the full CLI.
 */
function local(env) {
  if (env.STEWARD_HOST || env.STEWARD_CONTEXT || env.STEWARD_FAST === '0') return false;
  const home = env.STEWARD_HOME && env.STEWARD_HOME.trim() !== '' ? env.STEWARD_HOME : null;
  const dir = home ?? require('node:path').join(require('node:os').homedir(), '.steward');
  return !require('node:fs').existsSync(require('node:path').join(dir, 'contexts.json'));
}

if (args.length === 3 && FAST.includes(args[2]) && local(process.env)) {
  require('../dist/cli/fast.cjs');
} else {
  require('../dist/cli/boot.cjs');
}
