import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: { dir: string; version: string } | undefined;

/**
 * Steward's package root and version, found by walking up from this module to the package.json
 * named "steward". Works both from tsc's output (dist/src/…) and from the CLI bundle (dist/cli/).
 */
function packageRoot(): { dir: string; version: string } {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i += 1) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: unknown;
        version?: unknown;
      };
      if (pkg.name === 'steward') {
        root = { dir, version: typeof pkg.version === 'string' ? pkg.version : '0.0.0' };
        return root;
      }
    } catch {
      // keep walking up
    }
    dir = dirname(dir);
  }
  root = { dir: process.cwd(), version: '0.0.0' };
  return root;
}

/**
 * Set by the build in the CLI bundle only (scripts/build.js): every command sends its version to the
 * daemon, and reading it there would cost each command three file lookups on its way to the prompt.
 */
declare const STEWARD_BUNDLED_VERSION: string | undefined;

export function stewardVersion(): string {
  if (typeof STEWARD_BUNDLED_VERSION === 'string') return STEWARD_BUNDLED_VERSION;
  return packageRoot().version;
}

/** Absolute path of a file inside the installed package (e.g. `dist/src/daemon/main.js`). */
export function packagePath(rel: string): string {
  return join(packageRoot().dir, rel);
}

/** Bumped whenever the RPC messages change incompatibly. */
export const PROTOCOL_VERSION = 1;
