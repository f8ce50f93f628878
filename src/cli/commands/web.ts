import { resolve } from 'node:path';
import { StewardError } from '../../common/errors.js';
import type { WebStatus } from '../../protocol/methods.js';
import { dashboardUrl, ensureToken, isLoopback } from '../../web/tokens.js';
import type { CliContext } from '../context.js';

export interface WebFlags {
  port?: string;
  host?: string;
  tlsCert?: string;
  tlsKey?: string;
  insecureNoTls?: boolean;
  stop?: boolean;
  status?: boolean;
}

/** PM2's port for `pm2 web`. */
const DEFAULT_PORT = 9615;

/** `steward web`: the dashboard and HTTP API, run and kept up by the daemon (docs/dashboard.md). */
export async function web(ctx: CliContext, flags: WebFlags): Promise<void> {
  const c = await ctx.connect();
  if (flags.stop) {
    const before = await c.call('webStatus', {});
    await c.call('webStop', {});
    ctx.info(before.enabled ? 'web dashboard stopped' : 'the web dashboard was not running');
    return;
  }
  if (flags.status) {
    printStatus(ctx, await c.call('webStatus', {}), c.paths.home);
    return;
  }
  const port = flags.port === undefined ? DEFAULT_PORT : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new StewardError(
      'E_BAD_OPTION',
      `--port: expected a port number, got ${JSON.stringify(flags.port)}`,
      {
        hint: `e.g. --port ${DEFAULT_PORT}`,
      },
    );
  }
  const host = flags.host ?? '127.0.0.1';
  const st = await c.call('webStart', {
    port,
    host,
    // The daemon reads them, from its own cwd: absolute paths.
    ...(flags.tlsCert !== undefined ? { tls_cert: resolve(flags.tlsCert) } : {}),
    ...(flags.tlsKey !== undefined ? { tls_key: resolve(flags.tlsKey) } : {}),
    ...(flags.insecureNoTls ? { insecure: true } : {}),
  });
  if (!isLoopback(host)) {
    ctx.warn(
      `the dashboard listens on ${host}: other machines can reach it${flags.insecureNoTls && !flags.tlsCert ? ', WITHOUT TLS (--insecure-no-tls): the token crosses the network in plain text' : ''}`,
    );
  }
  printStatus(ctx, st, c.paths.home);
}

function printStatus(ctx: CliContext, st: WebStatus, home: string): void {
  if (!st.enabled || !st.settings) {
    ctx.info('the web dashboard is off; `steward web` starts it');
    return;
  }
  if (!st.url) {
    ctx.info(`the web dashboard is starting again${st.last_error ? ` (last error: ${st.last_error})` : ''}`);
    return;
  }
  const u = new URL(st.url);
  const scheme = u.protocol === 'https:' ? 'https' : 'http';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = Number(u.port);
  ctx.info(`web dashboard (pid ${st.pid}) on ${st.url}`);
  ctx.out(`open:      ${dashboardUrl(scheme, host, port, ensureToken(home, 'admin'))}`);
  ctx.out(`read-only: ${dashboardUrl(scheme, host, port, ensureToken(home, 'read'))}`);
  ctx.out('API:       Authorization: Bearer <the token after #token=> (docs/http-api.md)');
}
