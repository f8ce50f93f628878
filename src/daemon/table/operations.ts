import type { AppConfig } from '../../config/app-config.js';
import type { OpResult, StartResult } from '../../protocol/methods.js';
import type { Instance } from '../lifecycle/instance.js';
import { checkpoint } from '../lifecycle/lane.js';
import { planStart } from './start-plan.js';
import { groupByApp, zeroDowntimeCapable, type Supervisor } from './supervisor.js';

/**
 * The commands on the table (start, stop, restart, reload, delete, reset), as the RPC handlers
 * call them. Each acts through the instances' operations (their lanes) and, for groups, the app's
 * lane; nothing here touches an instance's state directly.
 */

/** Starts new apps (each with `instances` processes), or starts again stopped copies of the same script. */
export async function startApps(
  sup: Supervisor,
  apps: AppConfig[],
  force: boolean,
  settleMs: number,
): Promise<StartResult> {
  sup.checkUsers(apps);
  const plan = planStart(apps, force, sup.instances());
  // Every check passed: now act (so a failing app in a batch starts nothing).
  const started: Instance[] = [];
  for (const step of plan) {
    if (step.kind === 'again') {
      for (const i of step.instances) i.setConfig(step.config);
      started.push(...step.instances);
    } else {
      started.push(...sup.addInstances(step.config, step.config.instances));
    }
  }
  const toRun = started.filter((i) => i.config.autostart);
  await Promise.all(toRun.map((i) => i.start('start', { resetCounters: true })));
  const failed = await settle(toRun, settleMs);
  // Apps that say when they are ready are waited for (bounded by listen_timeout).
  const waiting = toRun.filter((i) => i.status === 'launching');
  await Promise.all(waiting.map((i) => i.whenUp(i.config.listen_timeout + 500)));
  // Checked on every started instance: under load the timeout may pass before this point.
  const notReady = toRun
    .filter((i) => i.putOnlineUnready)
    .map((i) => ({ pm_id: i.pm_id, name: i.config.name }));
  // When `start --watch` returns, changes are seen: the initial walk of the tree is done.
  await sup.guardsReady();
  return { ids: started.map((i) => i.pm_id), failed, not_ready: notReady };
}

/** Watches freshly started instances for a quick exit, so that `start` can report a broken app. */
async function settle(insts: Instance[], ms: number): Promise<StartResult['failed']> {
  if (ms <= 0 || insts.length === 0) return [];
  const results = await Promise.all(insts.map(async (i) => ({ i, ok: await i.settled(ms) })));
  return results
    .filter((r) => !r.ok)
    .map(({ i }) => {
      const last = [...i.history].reverse().find((h) => h.event === 'exit' || h.event === 'errored');
      return {
        pm_id: i.pm_id,
        name: i.config.name,
        exit: last?.reason ?? i.status,
        log_tail: i.recentLines(15),
      };
    });
}

/**
 * Reload: for each app, one instance at a time (capacity never drops below N-1), a new process is
 * started, awaited until ready, then the old one is drained and stopped. An instance that cannot
 * be reloaded that way is restarted, and the result says so. A new process that fails to become
 * ready aborts that app's reload and leaves its old processes serving. Runs in the app's lane: a
 * stop or delete of the app interrupts it between (and within) instances.
 */
export async function reloadInstances(sup: Supervisor, insts: Instance[], reason: string): Promise<OpResult> {
  const notes: string[] = [];
  const failed: NonNullable<OpResult['failed']> = [];
  await Promise.all(
    [...groupByApp(insts)].map(([name, list]) =>
      sup.appLane(name).run('reload', 'queue', async (signal) => {
        if (list.some((i) => !zeroDowntimeCapable(i.config)))
          notes.push(
            `${name}: reload of a fork-mode app without a shared socket is a restart (set listen, or exec_mode cluster for Node)`,
          );
        for (const i of list) {
          checkpoint(signal);
          const res = await i.reload(reason, zeroDowntimeCapable(i.config));
          if (res.ok) continue;
          failed.push({ pm_id: i.pm_id, name, reason: res.reason ?? 'failed', log_tail: res.tail ?? [] });
          notes.push(`${name}: reload aborted at id ${i.pm_id}; the old processes keep serving`);
          break;
        }
      }),
    ),
  );
  return { ids: insts.map((i) => i.pm_id), notes, failed };
}

/** `start <app>` of existing apps: stopped ones start, running ones restart (as in PM2). */
export async function startTargets(sup: Supervisor, targets: string[], cwd: string): Promise<OpResult> {
  const insts = sup.resolve(targets, cwd);
  await Promise.all(insts.map((i) => i.start('start', { restartIfRunning: true, resetCounters: true })));
  return { ids: insts.map((i) => i.pm_id), notes: [] };
}

export async function stopTargets(
  sup: Supervisor,
  targets: string[],
  cwd: string,
  unwatch = false,
): Promise<OpResult> {
  const insts = sup.resolve(targets, cwd);
  // `stop --watch` turns watching off for good, as in PM2.
  if (unwatch) for (const i of insts) i.setConfig({ ...i.config, watch: false });
  for (const name of groupByApp(insts).keys()) sup.appLane(name).interrupt('stop');
  await Promise.all(insts.map((i) => i.stop()));
  return { ids: insts.map((i) => i.pm_id), notes: [] };
}

/** What a restart or reload changes in the config first: `--update-env`'s environment, the options given. */
export interface RestartUpdates {
  shellEnv?: Record<string, string> | undefined;
  /** App options given with the command (PATCH_FIELDS only: the RPC schema checks it). */
  patch?: Partial<AppConfig> | undefined;
}

/** Applies a restart's or reload's updates to the config of each instance, before it is restarted. */
export function applyUpdates(insts: Instance[], u: RestartUpdates): void {
  const { shellEnv, patch } = u;
  if (shellEnv) for (const i of insts) i.setConfig({ ...i.config, shell_env: shellEnv });
  if (patch && Object.keys(patch).length > 0) for (const i of insts) i.setConfig({ ...i.config, ...patch });
}

export async function restartTargets(
  sup: Supervisor,
  targets: string[],
  cwd: string,
  opts: RestartUpdates & { toggleWatch?: boolean } = {},
): Promise<OpResult> {
  const insts = sup.resolve(targets, cwd);
  applyUpdates(insts, opts);
  // `restart --watch` toggles watching, as in PM2.
  if (opts.toggleWatch) {
    for (const i of insts)
      i.setConfig({ ...i.config, watch: i.config.watch === false ? [i.config.pm_cwd] : false });
  }
  await Promise.all(insts.map((i) => i.restart('restart')));
  return { ids: insts.map((i) => i.pm_id), notes: [] };
}

export async function deleteTargets(sup: Supervisor, targets: string[], cwd: string): Promise<OpResult> {
  const insts = sup.resolve(targets, cwd);
  await sup.deleteInstances(insts);
  return { ids: insts.map((i) => i.pm_id), notes: [] };
}

export function resetTargets(sup: Supervisor, targets: string[], cwd: string): OpResult {
  const insts = sup.resolve(targets, cwd);
  for (const i of insts) i.resetCounters({ restartTime: true });
  return { ids: insts.map((i) => i.pm_id), notes: [] };
}
