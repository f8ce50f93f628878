// Build: tsc compiles everything (types, API, tests) into dist/; esbuild then bundles the CLI into
// dist/cli/ so that a command loads two files instead of dozens (cold start), and the daemon into
// dist/daemon.js (one module instead of ~25 saves ~6 MB of daemon RSS; see docs/benchmarks.md).
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
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
// The dashboard's browser code has its own tsconfig (DOM types; esbuild compiles it, not tsc).
try {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'src/web/client/tsconfig.json'], {
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
  // Loaded on the first notification e-mail only (src/daemon/notify/channels/email.ts).
  external: ['nodemailer'],
});
// The web dashboard's server (its own process, kept up by the daemon: src/daemon/web/keeper.ts).
await build({
  ...common,
  entryPoints: ['src/web/main.ts'],
  outfile: 'dist/web.js',
});
// The dashboard page: preact + htm + uPlot bundled into dist/web/ (served from the package, no CDN).
rmSync('dist/web', { recursive: true, force: true });
mkdirSync('dist/web', { recursive: true });
await build({
  entryPoints: { app: 'src/web/client/main.ts' },
  outdir: 'dist/web',
  bundle: true,
  // uPlot is a chunk of its own, loaded by the first chart (src/web/client/chart.ts).
  splitting: true,
  chunkNames: 'chunk-[hash]',
  format: 'esm',
  platform: 'browser',
  target: ['chrome100', 'firefox100', 'safari15'],
  minify: true,
  legalComments: 'none',
  logLevel: 'warning',
});
await build({
  entryPoints: { app: 'src/web/client/app.css' },
  outdir: 'dist/web',
  bundle: true,
  minify: true,
  logLevel: 'warning',
});
copyFileSync('src/web/client/index.html', 'dist/web/index.html');
if (process.env.STEWARD_BUILD_SIZES) {
  for (const f of readdirSync('dist/web')) {
    const b = readFileSync(`dist/web/${f}`);
    console.log(`dist/web/${f}: ${b.length} bytes, ${gzipSync(b, { level: 9 }).length} gzipped`);
  }
}
await build({
  ...common,
  entryPoints: ['src/runtime/main.ts'],
  outfile: 'dist/runtime.js',
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
});
// The CLI is one CommonJS bundle run by dist/cli/boot.cjs with a V8 code cache (see src/cli/boot.ts):
// a code cache needs vm.Script, which on Node 20 takes scripts, not ES modules. Commands are still
// lazy: esbuild keeps each dynamically imported module's body in a function until it is needed.
rmSync('dist/cli', { recursive: true, force: true });
// commander loads child_process (and with it dgram and more, ~1 ms) on start only for git-style
// executable subcommands, which Steward does not use: load it when spawn is first called instead.
// commander has no public option for this. A commander release that changes the line fails this
// build (below), and test/e2e/cli-builtins.test.ts fails if `steward ls` loads child_process again.
const lazyChildProcess = {
  name: 'lazy-child-process',
  setup(b) {
    b.onLoad({ filter: /commander[\\/]lib[\\/]command\.js$/ }, (args) => {
      const text = readFileSync(args.path, 'utf8');
      const eager = "const childProcess = require('node:child_process');";
      if (!text.includes(eager)) {
        throw new Error(
          `${args.path}: commander's child_process require changed; update lazyChildProcess in scripts/build.js`,
        );
      }
      const lazy = "const childProcess = { spawn: (...a) => require('node:child_process').spawn(...a) };";
      return { contents: text.replace(eager, lazy), loader: 'js' };
    });
  },
};
await build({
  ...common,
  format: 'cjs',
  plugins: [lazyChildProcess],
  entryPoints: ['src/cli/main.ts'],
  outfile: 'dist/cli/main.cjs',
  // version.ts finds the package root from its own URL.
  define: { 'import.meta.url': '__stewardUrl' },
  banner: { js: "var __stewardUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// The fast path's bundle: `ls`, `jlist` and `ping` alone, without the parser and the other commands
// (src/cli/fast.ts). A plain require() of ~15 KB needs no code cache.
await build({
  ...common,
  format: 'cjs',
  entryPoints: ['src/cli/fast.ts'],
  outfile: 'dist/cli/fast.cjs',
  define: { 'import.meta.url': '__stewardUrl' },
  banner: { js: "var __stewardUrl = require('node:url').pathToFileURL(__filename).href;" },
});
// The launcher: small, CommonJS, sharing the home lookup with the rest (src/common/paths.ts).
await build({ ...common, format: 'cjs', entryPoints: ['src/cli/boot.ts'], outfile: 'dist/cli/boot.cjs' });
const cliBundle = readFileSync('dist/cli/main.cjs', 'latin1');
// boot.cjs reads the bundle as latin1, which is only right for ASCII.
if (/[^\x00-\x7f]/.test(cliBundle)) {
  console.error('build: dist/cli/main.cjs is not ASCII; src/cli/boot.ts reads it as latin1');
  process.exit(1);
}
// A dynamic import() fails in a script that came from a code cache (Node 20): the only one allowed
// is ecosystem-load's fallback, which the launcher's lent import() replaces.
const imports = cliBundle.match(/[^\w$.]import\(/g)?.length ?? 0;
if (imports > 1) {
  console.error(
    `build: dist/cli/main.cjs has ${imports} import() calls; use static imports or the import hook (src/config/ecosystem-load.ts)`,
  );
  process.exit(1);
}
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
