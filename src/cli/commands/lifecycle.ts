import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { AppConfig } from '../../config/app-config.js';
import { appFromCli, FLAG_KEYS, type StartFlags } from '../../config/from-cli.js';
import { KEPT } from '../../config/restart-merge.js';
import { restartPatch, type RestartPatch } from '../../config/restart-patch.js';
import { StewardError } from '../../common/errors.js';
import type { OpResult, ProcSummary } from '../../protocol/methods.js';
import { findDefaultFile } from '../../config/ecosystem-load.js';
import type { CliContext } from '../context.js';
import {
  applyFile,
  noneToActOn,
  reportFailures,
  SETTLE_MS,
  splitTargets,
  stringEnv,
} from './lifecycle-files.js';
import { renderList } from '../output/list.js';

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
  name?: string;
  cwd?: string;
  instances?: string;
  force?: boolean;
  daemon?: boolean;
  only?: string;
  env?: string;
}

export async function start(
  ctx: CliContext,
  scripts: string[],
  scriptArgs: string[],
  opts: StartOptions,
): Promise<void> {
  const cwd = process.cwd();
  if (opts.daemon === false) {
    const target = scripts[0] ?? findDefaultFile(cwd);
    if (!target) {
      throw new StewardError('E_USAGE', 'start --no-daemon needs a script or an ecosystem file', {
        hint: 'e.g. `steward start ecosystem.config.js --no-daemon`',
      });
    }
    const { runtime } = await import('../../runtime/runtime.js');
    process.exitCode = await runtime(target, scriptArgs, {
      ...(opts.env !== undefined ? { env: opts.env } : {}),
      ...(opts.only !== undefined ? { only: opts.only } : {}),
      ...(opts.instances !== undefined ? { instances: opts.instances } : {}),
    });
    return;
  }
  if (scripts.length === 0) {
    const found = findDefaultFile(cwd);
    if (!found) {
      throw new StewardError('E_USAGE', 'start needs a script, a command, an app name or an ecosystem file', {
        hint: 'e.g. `steward start app.js --name api`, or run `steward init` to write ecosystem.config.js here',
      });
    }
    scripts = [found.slice(cwd.length + 1)];
  }
  const { files, plain } = splitTargets(scripts);
  for (const f of files) await applyFile(ctx, f, 'start', opts);
  scripts = plain;
  if (scripts.length === 0) {
    await printList(ctx);
    return;
  }
  if (opts.env !== undefined && files.length === 0 && !ctx.silent) {
    // PM2 ignores it for a script; a deploy script may pass it anyway.
    ctx.warn(`--env ${opts.env} has no effect without an ecosystem file (it selects env_${opts.env} in one)`);
  }
  const c = await ctx.connect();
  // The table is needed only for a target that is not a file (an app name, id, namespace…):
  // `start app.js` goes straight to `start`, one round trip (and /proc sample) less.
  let table: ProcSummary[] | undefined;
  const procs = async () => (table ??= await c.call('list', {}));
  const targets: string[] = [];
  const apps: AppConfig[] = [];
  for (const s of scripts) {
    const isFile = existsSync(resolve(opts.cwd ? resolve(cwd, opts.cwd) : cwd, s));
    if (!isFile && !opts.force && matchesExisting(s, await procs(), cwd)) {
      if (opts.env !== undefined) {
        throw new StewardError(
          'E_USAGE',
          '--env selects env_<name> of an ecosystem file, and no file was given',
          {
            hint: `e.g. \`steward start ecosystem.config.js --env ${opts.env}\``,
          },
        );
      }
      targets.push(s);
    } else apps.push(appFromCli(s, scriptArgs, opts, { cwd, env: process.env }, availableParallelism()));
  }
  if (opts.name !== undefined && apps.length > 1) {
    throw new StewardError('E_USAGE', '--name applies to one script only', {
      hint: 'start the scripts one by one',
    });
  }
  if (targets.length > 0) {
    const res = await c.call('startTargets', { targets, cwd });
    ctx.info(`started ${describeIds(res, await procs())}`);
  }
  if (apps.length > 0) {
    for (const a of apps)
      ctx.info(
        `Starting ${a.pm_exec_path} in ${a.exec_mode} (${a.instances} instance${a.instances > 1 ? 's' : ''})`,
      );
    const res = await c.call('start', { apps, force: opts.force ?? false, settle_ms: SETTLE_MS });
    if (res.failed.length > 0) await printList(ctx);
    reportFailures(res.failed);
    for (const n of res.not_ready ?? []) {
      ctx.warn(
        `${n.name} (id ${n.pm_id}) did not say it was ready within listen_timeout; it is online anyway, as in PM2`,
      );
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
  opts: { only?: string; env?: string; watch?: boolean } = {},
): Promise<void> {
  const { files, plain } = splitTargets(targets);
  if (method !== 'reset') for (const f of files) await applyFile(ctx, f, method, opts);
  targets = method === 'reset' ? targets : plain;
  if (targets.length === 0) {
    await printList(ctx);
    return;
  }
  const c = await ctx.connect();
  const before = await c.call('list', {});
  noneToActOn(targets, before);
  const res =
    method === 'stop' && opts.watch
      ? await c.call('stop', { targets, cwd: process.cwd(), watch: true })
      : await c.call(method, { targets, cwd: process.cwd() });
  ctx.info(`${verb} ${describeIds(res, before)}`);
  await printList(ctx);
}

export const stop = (ctx: CliContext, targets: string[], opts: { only?: string; watch?: boolean }) =>
  simpleOp(ctx, 'stop', 'stopped', targets, opts);
export const del = (ctx: CliContext, targets: string[], opts: { only?: string }) =>
  simpleOp(ctx, 'delete', 'deleted', targets, opts);
export const reset = (ctx: CliContext, targets: string[]) =>
  simpleOp(ctx, 'reset', 'reset counters of', targets);

export interface RestartFlags extends StartFlags {
  updateEnv?: boolean;
  only?: string;
  env?: string;
  watch?: boolean;
}

/**
 * `restart`/`reload` (and `startOrRestart`/`startOrReload`, which take a file: `merge` false).
 * App options given as flags are converted and checked before anything is sent, then merged into
 * the config of the plain targets by the daemon (PM2 merges them too).
 */
export async function restart(
  ctx: CliContext,
  method: 'restart' | 'reload',
  targets: string[],
  opts: RestartFlags,
  merge = true,
): Promise<void> {
  const { files, plain } = splitTargets(targets);
  if (opts.env !== undefined && files.length === 0) {
    throw new StewardError(
      'E_USAGE',
      `--env cannot be used when ${method}ing by name: the environment comes from a file`,
      {
        hint: `give the ecosystem file: \`steward ${method} ecosystem.config.js --env ${opts.env}\`, or use --update-env`,
      },
    );
  }
  const given = merge ? optionPatch(opts) : undefined;
  if (given && files.length > 0 && Object.keys(given.patch).length > 0)
    ctx.warn(
      `app options given as flags are not applied to the apps of ${files.join(', ')}: their file sets them`,
    );
  if (given && plain.length > 0 && Object.keys(given.identity).length > 0)
    checkIdentity(given.identity, plain, await (await ctx.connect()).call('list', {}));
  for (const f of files) await applyFile(ctx, f, method, opts);
  targets = plain;
  if (targets.length === 0) {
    await printList(ctx);
    return;
  }
  const c = await ctx.connect();
  const before = await c.call('list', {});
  noneToActOn(targets, before);
  const updateEnv = opts.updateEnv ?? false;
  const patch = given?.patch ?? {};
  const res = await c.call(method, {
    targets,
    cwd: process.cwd(),
    update_env: updateEnv,
    ...(updateEnv ? { shell_env: stringEnv(process.env) } : {}),
    ...(opts.watch ? { watch: true } : {}),
    ...(Object.keys(patch).length > 0 ? { options: patch } : {}),
  });
  for (const n of res.notes) ctx.info(n);
  if (res.failed && res.failed.length > 0) {
    await printList(ctx);
    for (const f of res.failed) {
      process.stderr.write(`[steward] reload of ${f.name} (id ${f.pm_id}) failed: ${f.reason}\n`);
      for (const l of f.log_tail) process.stderr.write(`  ${l}\n`);
    }
    throw new StewardError(
      'E_RELOAD_FAILED',
      `reload of ${[...new Set(res.failed.map((f) => f.name))].join(', ')} aborted; the old processes keep serving`,
      {
        hint: 'fix the app (see the lines above and `steward logs`), then reload again',
      },
    );
  }
  ctx.info(`${method === 'reload' ? 'reloaded' : 'restarted'} ${describeIds(res, before)}`);
  if (!updateEnv) ctx.info('Use --update-env to update environment variables');
  await printList(ctx);
}

/** The app options among the flags, converted; undefined when none was given. */
function optionPatch(opts: RestartFlags): RestartPatch | undefined {
  return [...FLAG_KEYS.keys()].some((attr) => opts[attr] !== undefined) ? restartPatch(opts) : undefined;
}

/**
 * `--name`/`--namespace` cannot change on restart, but PM2 scripts often repeat the app's own
 * (`restart api --name api`): that is accepted, anything else is refused before anything is done.
 */
function checkIdentity(identity: RestartPatch['identity'], targets: string[], procs: ProcSummary[]): void {
  const targeted = procs.filter(
    (p) =>
      targets.includes('all') ||
      targets.includes(p.name) ||
      targets.includes(p.namespace) ||
      targets.includes(String(p.pm_id)),
  );
  for (const key of ['name', 'namespace'] as const) {
    const v = identity[key];
    if (v === undefined || (targeted.length > 0 && targeted.every((p) => p[key] === v))) continue;
    throw new StewardError(
      'E_BAD_OPTION',
      `--${key} cannot be changed by a restart: ${KEPT.get(key) ?? ''}`,
      {
        hint: `to change it, delete the app and start it again with --${key} ${v}`,
      },
    );
  }
}

export async function scale(ctx: CliContext, name: string, spec: string): Promise<void> {
  const c = await ctx.connect();
  const res = await c.call('scale', { name, spec });
  for (const n of res.notes) ctx.info(n);
  await printList(ctx);
}
