// Build: tsc compiles everything (types, API, tests) into dist/; esbuild then bundles the CLI into
// dist/cli/ so that a command loads a few files instead of dozens (cold start), and the daemon into
// dist/daemon.js (one module instead of ~25 saves ~6 MB of daemon RSS; see docs/benchmarks.md).
// CLI commands stay in lazily loaded chunks.
import { execFileSync } from 'node:child_process';
import { copyFileSync, rmSync } from 'node:fs';
import { build } from 'esbuild';

// tsc emits even with type errors; the bundles are still built, and the build fails at the end.
let typeErrors = false;
try {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], {
    stdio: 'inherit',
  });
} catch {
  typeErrors = true;
}
const common = {
  bundle: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
};
await build({
  ...common,
  entryPoints: ['src/daemon/main.ts'],
  outfile: 'dist/daemon.js',
});
await build({
  ...common,
  entryPoints: ['src/runtime/main.ts'],
  outfile: 'dist/runtime.js',
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
});
// Chunk names are content hashes: without this, every build would leave the old ones behind.
rmSync('dist/cli', { recursive: true, force: true });
await build({
  ...common,
  entryPoints: ['src/cli/main.ts'],
  splitting: true,
  outdir: 'dist/cli',
  // commander is CommonJS: give the ESM bundle a require().
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
});
// `steward/agent` for CommonJS apps (the package's `require` condition): Node 20 before 20.19 cannot
// require() the ESM build. Same source, not minified (the app's stack traces go through it), and the
// same declarations (they import nothing, so they read the same as CommonJS ones).
await build({
  entryPoints: ['src/agent/api.ts'],
  outfile: 'dist/src/agent/api.cjs',
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  legalComments: 'none',
  logLevel: 'warning',
});
copyFileSync('dist/src/agent/api.d.ts', 'dist/src/agent/api.d.cts');
if (typeErrors) {
  console.error('build: type errors (see above)');
  process.exit(1);
}
