import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { StewardError } from '../common/errors.js';
import { packagePath } from '../common/version.js';
import type { RawApp } from '../config/ecosystem-schema.js';

/**
 * The static file server as an app: what `steward serve` starts, and what PM2's `script: "serve"`
 * means in an ecosystem file. Runs on the CLI side; the server itself is server.ts.
 */
export const SERVE_SCRIPT = 'serve';
export const DEFAULT_SERVE_PORT = '8080';

/** Absolute path of the compiled server (dist/src/serve/server.js). */
export function serveEntry(): string {
  return packagePath('dist/src/serve/server.js');
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * PM2's `script: "serve"` becomes Steward's server, named `static-page-server-<port>` unless the app
 * has a name (the port from its env, else from the shell, else 8080). Other apps pass unchanged.
 */
export function resolveServeScript(raw: RawApp, shellEnv: NodeJS.ProcessEnv): RawApp {
  if (raw.script !== SERVE_SCRIPT) return raw;
  const env = isObj(raw.env) ? raw.env : {};
  const fromApp = env.PM2_SERVE_PORT;
  const port =
    typeof fromApp === 'string' || typeof fromApp === 'number'
      ? String(fromApp)
      : (shellEnv.PM2_SERVE_PORT ?? DEFAULT_SERVE_PORT);
  return { ...raw, script: serveEntry(), name: raw.name ?? `static-page-server-${port}` };
}

/** The options of `steward serve`, as commander hands them over. */
export interface ServeFlags {
  port?: string;
  host?: string;
  spa?: boolean;
  homepage?: string;
  basicAuthUsername?: string;
  basicAuthPassword?: string;
  name?: string;
}

const bad = (flag: string, msg: string, hint: string) =>
  new StewardError('E_BAD_OPTION', `${flag}: ${msg}`, { hint });

/** `steward serve [path] [port]` as a raw app (`script: "serve"` with PM2_SERVE_* in its env). */
export function serveApp(
  pathArg: string | undefined,
  portArg: string | undefined,
  flags: ServeFlags,
  cwd: string,
  env: NodeJS.ProcessEnv,
): RawApp {
  const port = (portArg ?? flags.port ?? env.PM2_SERVE_PORT ?? DEFAULT_SERVE_PORT).trim();
  if (!/^\d+$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    throw bad(
      'port',
      `expected a number from 1 to 65535, got ${JSON.stringify(port)}`,
      'e.g. `steward serve ./public 8080`',
    );
  }
  const dir = resolve(cwd, pathArg ?? env.PM2_SERVE_PATH ?? '.');
  let isDir = false;
  try {
    isDir = statSync(dir).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) throw bad('path', `${dir} is not a directory`, 'give the directory to serve');
  const appEnv: Record<string, string> = { PM2_SERVE_PATH: dir, PM2_SERVE_PORT: port };
  if (flags.spa) appEnv.PM2_SERVE_SPA = 'true';
  if (flags.host !== undefined) appEnv.PM2_SERVE_HOST = flags.host;
  if (flags.homepage !== undefined) appEnv.PM2_SERVE_HOMEPAGE = flags.homepage;
  const user = flags.basicAuthUsername;
  const pass = flags.basicAuthPassword;
  if ((user === undefined) !== (pass === undefined) || user === '' || pass === '') {
    throw bad(
      user === undefined || user === '' ? '--basic-auth-username' : '--basic-auth-password',
      'basic auth needs both a user name and a password',
      'give --basic-auth-username and --basic-auth-password',
    );
  }
  if (user !== undefined && pass !== undefined) {
    Object.assign(appEnv, {
      PM2_SERVE_BASIC_AUTH: 'true',
      PM2_SERVE_BASIC_AUTH_USERNAME: user,
      PM2_SERVE_BASIC_AUTH_PASSWORD: pass,
    });
  }
  return { script: SERVE_SCRIPT, name: flags.name ?? `static-page-server-${port}`, env: appEnv };
}
