/**
 * Runs the CLI bundle (`dist/cli/main.cjs`) with a V8 code cache.
 *
 * Why: a command's cold start is mostly Node's own start plus compiling our code. Compiling the
 * bundle lazily, function by function, cost 15–20 ms per command on the 2-core reference machine
 * (`steward logs app --lines 1000 --nostream`: 126 → 106 ms, fastest of 30; `node -e 0` is 78 ms).
 * Node 22 has `module.enableCompileCache()` for this; Node 20, our floor, does not, so we do the
 * same by hand with `vm.Script`'s `cachedData`.
 *
 * - The cache holds the bytecode of the functions one run of a command compiled, so there is one
 *   cache per command (`cli-logs-….v8`): `logs` and `start` run different code.
 * - It lives in `STEWARD_HOME/cache/` (0700), never next to the package: the cache is code, so it
 *   must be writable by this user only. A missing home (first command ever) means no cache yet.
 * - The name carries Node's version, the architecture and the bundle's size and mtime; V8 also checks
 *   its own version, flags and the source's length, and rejects a cache that does not fit. A rejected
 *   or missing cache is written again when the command exits; stale ones are removed then.
 * - `STEWARD_CODE_CACHE=0` turns it off.
 */
import fs from 'node:fs';
import nodeModule from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { resolveHome } from '../common/paths.js';

/** Runs the CommonJS bundle at `bundle` (dist/cli/main.cjs) with its code cache. */
export function runWithCodeCache(bundle: string): void {
  // The build checks that the bundle is ASCII (esbuild escapes the rest), so latin1 reads the same
  // text as utf8 without the decoding (about 1 ms for 360 KB).
  const source = fs.readFileSync(bundle, 'latin1');

  const dir = cacheDir();
  const key = dir ? cacheKey(bundle) : '';
  const name = dir ? cacheName(key) : '';
  let cachedData: Buffer | undefined;
  if (dir) {
    try {
      // The cache is code: use it only from a directory that nobody else can write to.
      const st = fs.statSync(dir);
      if (privateDir(st)) cachedData = fs.readFileSync(path.join(dir, name));
    } catch {
      // no cache yet
    }
  }

  // Dynamic import() from a script that came from a code cache fails on Node 20 (the script's
  // import callback is not kept), so the bundle loads ecosystem files with this module's import()
  // (see src/config/ecosystem-load.ts).
  (globalThis as Record<symbol, unknown>)[Symbol.for('steward.import')] = (url: string) => import(url);

  const wrapper = `(function (exports, require, module, __filename, __dirname) {${source}\n})`;
  const script = new vm.Script(wrapper, {
    filename: bundle,
    ...(cachedData ? { cachedData } : {}),
  });

  if (dir && (!cachedData || script.cachedDataRejected === true)) {
    // At exit the cache also holds every function this command compiled, not just the top level.
    process.once('exit', () => writeCache(script, dir, name, key));
  }

  const run = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: { exports: unknown },
    filename: string,
    dirname: string,
  ) => void;
  const mod = { exports: {} };
  run.call(mod.exports, mod.exports, nodeModule.createRequire(bundle), mod, bundle, path.dirname(bundle));
}

function cacheDir(): string | undefined {
  if (process.env.STEWARD_CODE_CACHE === '0') return undefined;
  return path.join(resolveHome(process.env), 'cache');
}

/** What a cache must match besides the command: this Node and this build of the bundle. */
function cacheKey(bundle: string): string {
  const st = fs.statSync(bundle);
  return `-${process.version}-${process.arch}-${st.size}-${Math.floor(st.mtimeMs)}.v8`;
}

function cacheName(key: string): string {
  // The first word is the command; anything that is not a plain word (flags, typos) shares one.
  const cmd = /^[a-z][a-zA-Z]{0,20}$/.test(process.argv[2] ?? '') ? (process.argv[2] as string) : '_';
  return `cli-${cmd}${key}`;
}

function writeCache(script: vm.Script, dir: string, name: string, key: string): void {
  try {
    // Only into a home that exists and is ours (the daemon makes it 0700).
    if (!privateDir(fs.statSync(path.dirname(dir)))) return;
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!privateDir(fs.statSync(dir))) return;
    const data = script.createCachedData();
    const tmp = path.join(dir, `.${name}.${process.pid}`);
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, path.join(dir, name));
    // Caches of another build or Node version are dead weight.
    for (const f of fs.readdirSync(dir)) {
      if (f.startsWith('cli-') && !f.endsWith(key)) fs.rmSync(path.join(dir, f), { force: true });
    }
  } catch {
    // A cache that cannot be written only costs the next command its compile time.
  }
}

function privateDir(st: fs.Stats): boolean {
  const mine = typeof process.getuid !== 'function' || st.uid === process.getuid();
  return mine && (st.mode & 0o022) === 0;
}
