import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AppConfig } from '../../config/app-config.js';
import { appFromCli, type StartFlags } from '../../config/from-cli.js';
import { StewardError } from '../../common/errors.js';
import type { OpResult, ProcSummary } from '../../protocol/methods.js';
import type { CliContext } from '../context.js';
import { renderList } from '../output/list.js';

/** How long `start` watches new processes for an immediate crash (STEWARD_START_SETTLE_MS overrides). */
const SETTLE_MS = Number(process.env.STEWARD_START_SETTLE_MS ?? 300);

async function printList(ctx: CliContext): Promise<void> {
  if (ctx.silent) return;
  const c = await ctx.connect();
  ctx.out(renderList(await c.call('list', {})));
}

/** Does `arg` name something already managed (name, id, namespace, all, /re/)? */
function matchesExisting(arg: string, procs: ProcSummary[], cwd: string): boolean {
  if (arg === 'all') return procs.length > 0;
  if (/^\/.+\/$/.test(arg)) return true;
  const abs = resolve(cwd, arg);
  return procs.some(
    (p) =>
      p.name === arg ||
      p.namespace === arg ||
      String(p.pm_id) === arg ||
      (p.pm_exec_path === abs && !existsSync(abs)),
  );
}

export interface StartOptions extends StartFlags {
  force?: boolean;
}

export async function start(
  ctx: CliContext,
  scripts: string[],
  scriptArgs: string[],
  opts: StartOptions,
): Promise<void> {
  if (scripts.length === 0) {
    throw new StewardError('E_USAGE', 'start needs a script, a command or an app name', {
      hint: 'e.g. `steward start app.js --name api`',
    });
  }
  const cwd = process.cwd();
  const c = await ctx.connect();
  const procs = await c.call('list', {});
  const targets: string[] = [];
  const apps: AppConfig[] = [];
  for (const s of scripts) {
    const isFile = existsSync(resolve(opts.cwd ? resolve(cwd, opts.cwd) : cwd, s));
    if (!isFile && !opts.force && matchesExisting(s, procs, cwd)) targets.push(s);
    else apps.push(appFromCli(s, scriptArgs, opts, { cwd, env: process.env }, availableParallelism()));
  }
  if (opts.name !== undefined && apps.length > 1) {
    throw new StewardError('E_USAGE', '--name applies to one script only', {
      hint: 'start the scripts one by one',
    });
  }
  if (targets.length > 0) {
    const res = await c.call('startTargets', { targets, cwd });
    ctx.info(`started ${describeIds(res, procs)}`);
  }
  if (apps.length > 0) {
    for (const a of apps)
      ctx.info(
        `Starting ${a.pm_exec_path} in ${a.exec_mode} (${a.instances} instance${a.instances > 1 ? 's' : ''})`,
      );
    const res = await c.call('start', { apps, force: opts.force ?? false, settle_ms: SETTLE_MS });
    if (res.failed.length > 0) {
      await printList(ctx);
      for (const f of res.failed) {
        process.stderr.write(`[steward] ${f.name} (id ${f.pm_id}) exited right after start: ${f.exit}\n`);
        for (const l of f.log_tail) process.stderr.write(`  ${l}\n`);
      }
      const names = [...new Set(res.failed.map((f) => f.name))].join(', ');
      throw new StewardError('E_APP_CRASHED', `${names} exited within ${SETTLE_MS}ms of starting`, {
        hint: `see \`steward logs ${res.failed[0]?.name ?? ''}\` and \`steward show ${res.failed[0]?.name ?? ''}\``,
      });
    }
    ctx.info('Done.');
  }
  await printList(ctx);
}

function describeIds(res: OpResult, procs: ProcSummary[]): string {
  const names = new Map(procs.map((p) => [p.pm_id, p.name]));
  return res.ids.map((id) => `${names.get(id) ?? '?'}(${id})`).join(', ');
}

type TargetMethod = 'stop' | 'delete' | 'reset';

async function simpleOp(
  ctx: CliContext,
  method: TargetMethod,
  verb: string,
  targets: string[],
): Promise<void> {
  const c = await ctx.connect();
  const before = await c.call('list', {});
  const res = await c.call(method, { targets, cwd: process.cwd() });
  ctx.info(`${verb} ${describeIds(res, before)}`);
  await printList(ctx);
}

export const stop = (ctx: CliContext, targets: string[]) => simpleOp(ctx, 'stop', 'stopped', targets);
export const del = (ctx: CliContext, targets: string[]) => simpleOp(ctx, 'delete', 'deleted', targets);
export const reset = (ctx: CliContext, targets: string[]) =>
  simpleOp(ctx, 'reset', 'reset counters of', targets);

export async function restart(
  ctx: CliContext,
  method: 'restart' | 'reload',
  targets: string[],
  opts: { updateEnv?: boolean },
): Promise<void> {
  const c = await ctx.connect();
  const before = await c.call('list', {});
  const updateEnv = opts.updateEnv ?? false;
  const res = await c.call(method, {
    targets,
    cwd: process.cwd(),
    update_env: updateEnv,
    ...(updateEnv ? { shell_env: stringEnv(process.env) } : {}),
  });
  for (const n of res.notes) ctx.info(n);
  ctx.info(`${method === 'reload' ? 'reloaded' : 'restarted'} ${describeIds(res, before)}`);
  if (!updateEnv) ctx.info('Use --update-env to update environment variables');
  await printList(ctx);
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v;
  return out;
}
