import { realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { StaticOptions } from './static.js';

/**
 * The static file server that `steward serve` (and `script: "serve"` in an ecosystem file) runs as a
 * managed app. Configured by PM2's environment variables:
 *
 * | variable | default |
 * |---|---|
 * | PM2_SERVE_PATH | the app's cwd |
 * | PM2_SERVE_PORT | 8080 |
 * | PM2_SERVE_HOST (Steward) | 127.0.0.1 |
 * | PM2_SERVE_SPA | false |
 * | PM2_SERVE_HOMEPAGE | /index.html |
 * | PM2_SERVE_BASIC_AUTH, …_USERNAME, …_PASSWORD | off |
 *
 * The server imports nothing outside node: and this folder, so the compiled files run on their own.
 */
export interface ServerConfig extends StaticOptions {
  port: number;
  host: string;
}

export class ServeConfigError extends Error {}

const truthy = (v: string | undefined) => v !== undefined && /^(true|1|yes)$/i.test(v.trim());

export function configFromEnv(env: NodeJS.ProcessEnv, cwd: string): ServerConfig {
  const dir = resolve(cwd, env.PM2_SERVE_PATH?.trim() || '.');
  let root: string;
  try {
    root = realpathSync(dir);
    if (!statSync(root).isDirectory()) throw new Error('not a directory');
  } catch (e) {
    throw new ServeConfigError(`PM2_SERVE_PATH: cannot serve ${dir} (${(e as Error).message})`);
  }
  const portText = env.PM2_SERVE_PORT?.trim() || '8080';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new ServeConfigError(`PM2_SERVE_PORT: expected a port number, got ${JSON.stringify(portText)}`);
  }
  let auth: StaticOptions['auth'] = null;
  if (truthy(env.PM2_SERVE_BASIC_AUTH)) {
    const username = env.PM2_SERVE_BASIC_AUTH_USERNAME ?? '';
    const password = env.PM2_SERVE_BASIC_AUTH_PASSWORD ?? '';
    if (!username || !password) {
      throw new ServeConfigError(
        'PM2_SERVE_BASIC_AUTH is on but PM2_SERVE_BASIC_AUTH_USERNAME or PM2_SERVE_BASIC_AUTH_PASSWORD is empty',
      );
    }
    auth = { username, password };
  }
  const homepage = env.PM2_SERVE_HOMEPAGE?.trim() || '/index.html';
  return {
    root,
    port,
    host: env.PM2_SERVE_HOST?.trim() || '127.0.0.1',
    spa: truthy(env.PM2_SERVE_SPA),
    homepage: homepage.startsWith('/') ? homepage : `/${homepage}`,
    auth,
  };
}
