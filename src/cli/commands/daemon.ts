import { existsSync } from 'node:fs';
import type { CliContext } from '../context.js';

export async function ping(ctx: CliContext): Promise<void> {
  const c = await ctx.connect();
  const res = await c.call('ping', {});
  ctx.out(`{ msg: '${res.msg}' }`);
}

export async function kill(ctx: CliContext): Promise<void> {
  const c = await ctx.connect();
  const closed = c.waitClosed();
  const res = await c.call('kill', {});
  await closed;
  ctx.info(`stopped ${res.stopped} process${res.stopped === 1 ? '' : 'es'} and the daemon`);
}

export async function save(ctx: CliContext, opts: { force?: boolean }): Promise<void> {
  const c = await ctx.connect();
  const res = await c.call('save', { force: opts.force ?? false });
  ctx.info(`saved ${res.count} process${res.count === 1 ? '' : 'es'} to ${res.path}`);
}

export async function resurrect(ctx: CliContext): Promise<void> {
  const c = await ctx.connect();
  const res = await c.call('resurrect', {});
  if (res.warning) ctx.warn(res.warning);
  if (res.skipped.length > 0) ctx.info(`already running, skipped: ${res.skipped.join(', ')}`);
  ctx.info(`resurrected ${res.ids.length} process${res.ids.length === 1 ? '' : 'es'}`);
  if (!ctx.silent) {
    const { renderList } = await import('../output/list.js');
    ctx.out(renderList(await c.call('list', {})));
  }
}

export async function cleardump(ctx: CliContext): Promise<void> {
  const c = await ctx.connect();
  const res = await c.call('cleardump', {});
  ctx.info(`emptied ${res.path} (the previous list is kept in ${res.path}.bak)`);
}

/**
 * `steward update`: hands the process list to a daemon of the installed version — same ids,
 * names, options and counters. The apps restart once (their pipes belong to the old daemon).
 */
export async function update(ctx: CliContext): Promise<void> {
  const c = await ctx.connect();
  const before = await c.hello;
  const closed = c.waitClosed();
  const res = await c.call('update', {});
  await closed;
  // The old daemon removes its socket last; wait for it to be gone before starting the new one.
  const deadline = Date.now() + 15_000;
  while (existsSync(c.paths.socket) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  const { Client } = await import('../../client/client.js');
  const next = await Client.connect();
  const after = await next.hello;
  const list = await next.call('list', {});
  next.close();
  ctx.info(
    `daemon ${before.version} (pid ${before.pid}) → ${after.version} (pid ${after.pid}); ${list.length}/${res.processes} processes back`,
  );
}
