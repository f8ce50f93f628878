import { createServer } from 'node:http';
import { configFromEnv, type ServerConfig } from './config.js';
import { createStaticHandler } from './static.js';

/**
 * Entry point of the static file server app (`steward serve`, `script: "serve"`): configuration from
 * PM2_SERVE_* (see config.ts), graceful stop on SIGINT/SIGTERM or the `shutdown` message.
 */
function main(): void {
  let config: ServerConfig;
  try {
    config = configFromEnv(process.env, process.cwd());
  } catch (e) {
    process.stderr.write(`[serve] ${(e as Error).message}\n`);
    process.exit(1);
  }
  const server = createServer(createStaticHandler(config));
  server.on('error', (e: NodeJS.ErrnoException) => {
    const why = e.code === 'EADDRINUSE' ? `port ${config.port} is in use` : e.message;
    process.stderr.write(`[serve] cannot listen on ${config.host}:${config.port}: ${why}\n`);
    process.exit(1);
  });
  server.listen(config.port, config.host, () => {
    const features = [config.spa ? 'spa' : '', config.auth ? 'basic auth' : ''].filter(Boolean);
    const host = config.host.includes(':') ? `[${config.host}]` : config.host;
    process.stdout.write(
      `[serve] serving ${config.root} on http://${host}:${config.port}${features.length ? ` (${features.join(', ')})` : ''}\n`,
    );
  });
  const stop = () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    // Requests in flight get a moment to finish; keep-alive sockets must not hold the stop.
    setTimeout(() => server.closeAllConnections(), 500).unref();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('message', (m) => {
    if (m === 'shutdown') stop();
  });
}

main();
