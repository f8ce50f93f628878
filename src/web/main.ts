import { messageOf } from '../common/errors.js';
import { resolveHome } from '../common/paths.js';
import { packagePath } from '../common/version.js';
import type { WebSettings } from '../protocol/methods.js';
import { loadAssets } from './assets.js';
import { Auth } from './auth.js';
import { DaemonLink } from './daemon-link.js';
import { openApiDocument } from './openapi.js';
import { createWebServer } from './server.js';
import { StreamHub } from './stream.js';
import { ensureToken } from './tokens.js';

/**
 * The web server process (dist/web.js), started and kept up by the daemon (src/daemon/web/keeper.ts).
 * Like the daemon, it reports on stdout once — `{"ok":true,"url":…}` or `{"ok":false,"error":…}` —
 * and logs to stderr, which the daemon copies into daemon.log. It exits when the daemon goes away
 * (its stdin closes, or the socket connection does).
 */
function report(msg: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify(msg) + '\n');
}

async function main(): Promise<void> {
  const home = resolveHome();
  const settings = JSON.parse(process.env.STEWARD_WEB_SETTINGS ?? '{}') as WebSettings;
  const tokens = { admin: ensureToken(home, 'admin'), read: ensureToken(home, 'read') };
  const bye = () => process.exit(0);
  process.stdin.on('end', bye);
  process.stdin.on('error', bye);
  process.stdin.resume();
  process.on('SIGTERM', bye);
  process.on('SIGINT', bye);

  const daemon = await DaemonLink.open(home, bye);
  const hub = new StreamHub(daemon);
  const doc = openApiDocument();
  const tls =
    settings.tls_cert && settings.tls_key ? { cert: settings.tls_cert, key: settings.tls_key } : undefined;
  const server = createWebServer(
    { host: settings.host, port: settings.port, ...(tls ? { tls } : {}) },
    { daemon, hub, auth: new Auth(tokens), secure: tls !== undefined, openapi: () => doc },
    loadAssets(packagePath('dist/web')),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  server.on('error', (e) => console.error(`server error: ${e.message}`));
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : settings.port;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  report({ ok: true, url: `${tls ? 'https' : 'http'}://${host}:${port}`, pid: process.pid });
}

process.on('uncaughtException', (e) => {
  console.error(`uncaught exception: ${e.stack ?? e.message}`);
  process.exit(1);
});
main().catch((e: unknown) => {
  report({ ok: false, error: messageOf(e) });
  process.exit(1);
});
