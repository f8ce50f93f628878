// Build: tsc compiles everything (types, daemon, tests) into dist/; esbuild then bundles the CLI
// into dist/cli/ so that a command loads a few files instead of dozens (cold start, see
// docs/benchmarks.md). Commands stay in lazily loaded chunks.
import { execFileSync } from 'node:child_process';
import { build } from 'esbuild';

execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], {
  stdio: 'inherit',
});
await build({
  entryPoints: ['src/cli/main.ts'],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: 'dist/cli',
  minify: true,
  legalComments: 'none',
  // commander is CommonJS: give the ESM bundle a require().
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: 'warning',
});
