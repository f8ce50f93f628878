import { accessSync, closeSync, constants, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename, delimiter, dirname, extname, isAbsolute, join, resolve } from 'node:path';

/** The first bytes of a file, or undefined when it is not a readable regular file. */
export function readHead(path: string, bytes = 512): Buffer | undefined {
  try {
    if (!statSync(path).isFile()) return undefined;
    const fd = openSync(path, 'r');
    try {
      const buf = Buffer.alloc(bytes);
      const n = readSync(fd, buf, 0, bytes, 0);
      return buf.subarray(0, n);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** Finds an executable on PATH, as a shell would. */
export function which(cmd: string, pathVar: string | undefined): string | undefined {
  if (cmd.includes('/')) return undefined;
  for (const dir of (pathVar ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, cmd);
    try {
      if (statSync(p).isFile()) {
        accessSync(p, constants.X_OK);
        return p;
      }
    } catch {
      // not here
    }
  }
  return undefined;
}

/** PM2's default name: the script's file name without its extension. */
export function defaultName(script: string, firstWord = true): string {
  const base = basename(firstWord ? (script.trim().split(/\s+/)[0] ?? script) : script);
  const ext = extname(base);
  return ext && ext !== base ? base.slice(0, -ext.length) : base;
}

/** The `version` of the nearest package.json above the script, or PM2's `N/A`. */
export function appVersion(scriptPath: string): string {
  let dir = isAbsolute(scriptPath) ? dirname(scriptPath) : resolve(dirname(scriptPath));
  for (let i = 0; i < 20; i += 1) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: unknown };
      return typeof pkg.version === 'string' ? pkg.version : 'N/A';
    } catch {
      // keep looking upwards
    }
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return 'N/A';
}
