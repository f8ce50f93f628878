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

export function stewardVersion(): string {
  return packageRoot().version;
}

/** Absolute path of a file inside the installed package (e.g. `dist/src/daemon/main.js`). */
export function packagePath(rel: string): string {
  return join(packageRoot().dir, rel);
}

/** Bumped whenever the RPC messages change incompatibly. */
export const PROTOCOL_VERSION = 1;
