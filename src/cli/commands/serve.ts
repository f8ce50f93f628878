import { connect as netConnect } from 'node:net';
import { availableParallelism } from 'node:os';
import { StewardError } from '../../common/errors.js';
import { checkApp } from '../../config/ecosystem-schema.js';
import { normalizeApp } from '../../config/normalize.js';
import { nodeIo } from '../../config/normalize-io.js';
import { resolveServeScript, serveApp, type ServeFlags } from '../../serve/app.js';
import type { CliContext } from '../context.js';
import { renderList } from '../output/list.js';

/** How long `serve` watches the server for an immediate crash (a port in use), as `start` does. */
const SETTLE_MS = Number(process.env.STEWARD_START_SETTLE_MS ?? 300);

/** How long `serve` waits for the server to accept connections before it returns. */
const LISTEN_WAIT_MS = 5000;

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = netConnect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Resolves once something answers on the port (so that `steward serve && curl …` works). */
async function waitListening(host: string, port: number): Promise<boolean> {
  const probe = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  const deadline = Date.now() + LISTEN_WAIT_MS;
  while (Date.now() < deadline) {
    if (await accepts(probe, port)) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return false;
}

/** `steward serve [path] [port]`: the static file server as a managed app (docs/serve.md). */
export async function serve(
  ctx: CliContext,
  pathArg: string | undefined,
  portArg: string | undefined,
  flags: ServeFlags,
): Promise<void> {
  const cwd = process.cwd();
  const raw = resolveServeScript(serveApp(pathArg, portArg, flags, cwd, process.env), process.env);
  const checked = checkApp(raw, 'serve');
  if (checked.errors.length > 0) {
    throw new StewardError('E_BAD_OPTION', checked.errors.join('; '), { hint: 'see `steward serve --help`' });
  }
  const { config } = normalizeApp(checked.app, {
    cwd,
    env: process.env,
    cpus: availableParallelism(),
    where: 'serve',
    badCode: 'E_BAD_OPTION',
    io: nodeIo,
  });
  const c = await ctx.connect();
  const env = config.env;
  const host = env.PM2_SERVE_HOST ?? process.env.PM2_SERVE_HOST ?? '127.0.0.1';
  ctx.info(
    `Serving ${env.PM2_SERVE_PATH} on http://${host.includes(':') ? `[${host}]` : host}:${env.PM2_SERVE_PORT} as ${config.name}`,
  );
  const res = await c.call('start', { apps: [config], force: false, settle_ms: SETTLE_MS });
  if (res.failed.length > 0) {
    for (const f of res.failed) {
      process.stderr.write(`[steward] ${f.name} (id ${f.pm_id}) exited right after start: ${f.exit}\n`);
      for (const l of f.log_tail) process.stderr.write(`  ${l}\n`);
    }
    throw new StewardError('E_APP_CRASHED', `${config.name} exited within ${SETTLE_MS}ms of starting`, {
      hint: `see \`steward logs ${config.name}\`; another program may use the port`,
    });
  }
  if (!(await waitListening(host, Number(env.PM2_SERVE_PORT)))) {
    ctx.warn(`nothing answers on ${host}:${env.PM2_SERVE_PORT} yet; see \`steward logs ${config.name}\``);
  }
  if (!ctx.silent) ctx.out(renderList(await c.call('list', {})));
}
