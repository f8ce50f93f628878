import { join } from 'node:path';
import { truncateSync } from 'node:fs';
import type { AppConfig } from '../../config/app-config.js';
import { StewardError } from '../../common/errors.js';
import type { HomePaths } from '../../common/paths.js';
import type { ApplyAction, ApplyResult, OpResult, ProcSummary, StartResult } from '../../protocol/methods.js';
import { Instance, type InstanceContext, type InstanceSnapshot } from '../lifecycle/instance.js';
import { pm2EntryJson, summary } from '../views/jlist.js';
import { LogFiles } from '../logs/log-files.js';
import {
  DEFAULT_LOG_SETTINGS,
  InstanceOutput,
  rotationPolicy,
  type LogSettings,
} from '../logs/instance-output.js';
import type { StreamType } from '../logs/formatter.js';
import { Sampler } from '../views/sampler.js';
import type { SpawnContext } from '../process/spawn-spec.js';
import { isRunning } from '../lifecycle/state-machine.js';
import { resolveTargets } from './targets.js';
import { SocketBroker, splitAddress } from '../process/sockets.js';
import { Guards } from '../guards/guards.js';
import { PipeMaker } from '../process/pipes.js';
import { renderMetrics } from '../views/prometheus.js';

export interface SupervisorOptions {
  paths: HomePaths;
  spawn: SpawnContext;
  log: (msg: string) => void;
  /** An app answered an action (PM2's `axm:reply`), for the event bus. */
  onReply?: (inst: Instance, data: unknown) => void;
  /** App output that cannot reach its file (bad path, full disk) goes here (the daemon log). */
  fallbackOutput?: (path: string, buf: Buffer) => void;
  /** Live output for `steward logs` followers; only called while `wantsOutput()` says so. */
  onOutput?: (inst: Instance, type: StreamType, chunk: Buffer, at: number) => void;
  wantsOutput?: () => boolean;
  /** Called after any change of the table (journal, event bus). */
  onChange: (event: { pm_id: number; name: string; event: string; status: string; reason?: string }) => void;
  now?: () => number;
}

const SAMPLE_MAX_AGE_MS = 1000;

/** The process table and every operation on it. One per daemon. */
export class Supervisor {
  readonly table = new Map<number, Instance>();
  readonly logs: LogFiles;
  readonly sampler: Sampler;
  private nextId = 0;
  readonly sockets = new SocketBroker();
  readonly guards: Guards;
  private readonly replyWaiters = new Map<string, (data: unknown) => void>();
  /** Set while a sync is scheduled; resolves once it ran. */
  private synced: Promise<void> | undefined;
  /** Global log rotation defaults (STEWARD_HOME/settings.json, `steward set`). */
  logSettings: LogSettings = { ...DEFAULT_LOG_SETTINGS };
  private readonly ctx: InstanceContext;
  readonly now: () => number;
  /** Kernel pipes for the apps' output. */
  readonly pipes: PipeMaker;

  constructor(private readonly opts: SupervisorOptions) {
    this.now = opts.now ?? Date.now;
    this.logs = new LogFiles({
      warn: (msg) => opts.log(`warning: ${msg}`),
      fallback: (path, buf) => opts.fallbackOutput?.(path, buf),
    });
    this.sampler = new Sampler(this.now);
    this.pipes = new PipeMaker(join(opts.paths.home, 'pipes'), opts.log);
    this.pipes.warm();
    this.guards = new Guards({
      instances: () => this.instances(),
      home: opts.paths.home,
      restartInstance: (i, reason) =>
        this.zeroDowntime(i) ? i.reload(reason).then(() => undefined) : this.restartOne(i, reason),
      restartApp: async (name, reason) => {
        const list = this.instances().filter((i) => i.config.name === name);
        await Promise.all(
          list.map((i) =>
            i.status === 'stopped' || i.status === 'errored' ? i.start(reason) : this.restartOne(i, reason),
          ),
        );
      },
      log: opts.log,
    });
    this.ctx = {
      home: opts.paths.home,
      logsDir: opts.paths.logs,
      pidsDir: opts.paths.pids,
      spawn: opts.spawn,
      pipe: () => this.pipes.pipe(),
      openOutput: (inst) => {
        const bus = opts.onOutput;
        const sink =
          bus && opts.wantsOutput
            ? (type: StreamType, chunk: Buffer, at: number) => {
                if (opts.wantsOutput?.()) bus(inst, type, chunk, at);
              }
            : undefined;
        return new InstanceOutput(
          this.logs,
          inst.logPaths,
          inst.config,
          inst.pm_id,
          rotationPolicy(inst.config, this.logSettings),
          sink,
          inst.config.disable_logs,
        );
      },
      listenSockets: (inst) =>
        Promise.all(
          inst.config.listen.map((addr) => {
            const { host, port } = splitAddress(addr);
            return this.sockets.get(inst.config.name, host, port);
          }),
        ),
      sharedSocket: (inst, port, host) => this.sockets.get(inst.config.name, host, port),
      now: this.now,
      log: opts.log,
      reply: (inst, data) => {
        const name = isRecordish(data) && typeof data.action_name === 'string' ? data.action_name : '';
        this.replyWaiters.get(`${inst.pm_id}\0${name}`)?.(data);
        opts.onReply?.(inst, data);
      },
      changed: (inst, event, reason) => {
        this.scheduleSync();
        opts.onChange({
          pm_id: inst.pm_id,
          name: inst.config.name,
          event,
          status: inst.status,
          ...(reason === undefined ? {} : { reason }),
        });
      },
    };
  }

  /** Guards (probes, memory, cron, watch) follow the table, once per burst of changes. */
  scheduleSync(): void {
    this.synced ??= new Promise((resolve) =>
      setImmediate(() => {
        this.synced = undefined;
        try {
          this.guards.sync();
        } finally {
          resolve();
        }
      }),
    );
  }

  instances(): Instance[] {
    return [...this.table.values()].sort((a, b) => a.pm_id - b.pm_id);
  }

  private get(id: number): Instance {
    const inst = this.table.get(id);
    if (!inst)
      throw new StewardError('E_APP_NOT_FOUND', `process ${id} not found`, { hint: 'run `steward ls`' });
    return inst;
  }

  resolve(targets: string[], cwd: string): Instance[] {
    const items = this.instances().map((i) => ({
      pm_id: i.pm_id,
      name: i.config.name,
      namespace: i.config.namespace,
      pm_exec_path: i.config.pm_exec_path,
    }));
    return resolveTargets(targets, items, cwd).map((id) => this.get(id));
  }

  private add(config: AppConfig, index: number, pmId?: number): Instance {
    const id = pmId ?? this.nextId;
    this.nextId = Math.max(this.nextId, id + 1);
    const inst = new Instance(id, config, index, this.ctx);
    this.table.set(id, inst);
    return inst;
  }

  /** Starts new apps (each with `instances` processes), or starts again stopped copies of the same script. */
  async start(apps: AppConfig[], force: boolean, settleMs: number): Promise<StartResult> {
    this.checkUsers(apps);
    const plan: Array<() => Instance[]> = [];
    const batch = new Set<string>();
    for (const cfg of apps) {
      // The same script twice in one command is a duplicate too (PM2 refuses it as well).
      const key = `${cfg.name}\0${cfg.pm_exec_path}`;
      if (batch.has(key) && !force) {
        throw new StewardError('E_ALREADY_RUNNING', `script given twice: ${cfg.name} (${cfg.pm_exec_path})`, {
          hint: 'add -f to start several copies',
        });
      }
      batch.add(key);
      const same = this.instances().filter(
        (i) => i.config.name === cfg.name && i.config.pm_exec_path === cfg.pm_exec_path,
      );
      if (same.length > 0 && !force) {
        if (same.some((i) => isRunning(i.status))) {
          throw new StewardError(
            'E_ALREADY_RUNNING',
            `script already launched: ${cfg.name} (${cfg.pm_exec_path})`,
            {
              hint: `use \`steward restart ${cfg.name}\`, or add -f to start another copy`,
            },
          );
        }
        plan.push(() => {
          for (const i of same) {
            i.config = cfg;
            i.resetCounters();
          }
          return same;
        });
        continue;
      }
      plan.push(() => {
        const used = new Set(
          this.instances()
            .filter((i) => i.config.name === cfg.name)
            .map((i) => i.index),
        );
        const out: Instance[] = [];
        let index = 0;
        for (let n = 0; n < cfg.instances; n += 1) {
          while (used.has(index)) index += 1;
          used.add(index);
          out.push(this.add(cfg, index));
        }
        return out;
      });
    }
    // Every check passed: now act (so a failing app in a batch starts nothing).
    const started = plan.flatMap((p) => p());
    const toRun = started.filter((i) => i.config.autostart);
    await Promise.all(toRun.map((i) => i.start()));
    const failed = await this.settle(toRun, settleMs);
    // Apps that say when they are ready are waited for (bounded by listen_timeout).
    const waiting = toRun.filter((i) => i.status === 'launching');
    await Promise.all(waiting.map((i) => i.whenUp(i.config.listen_timeout + 500)));
    // Checked on every started instance: under load the timeout may pass before this point.
    const notReady = toRun
      .filter((i) => i.history.some((h) => h.event === 'online' && (h.reason ?? '').startsWith('not ready')))
      .map((i) => ({ pm_id: i.pm_id, name: i.config.name }));
    // When `start --watch` returns, changes are seen: the initial walk of the tree is done.
    await this.synced;
    await this.guards.watchesReady();
    return { ids: started.map((i) => i.pm_id), failed, not_ready: notReady };
  }

  /** Watches freshly started instances for a quick exit, so that `start` can report a broken app. */
  private async settle(insts: Instance[], ms: number): Promise<StartResult['failed']> {
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

  /** Can this instance be replaced without downtime (a socket the new process can take over)? */
  private zeroDowntime(i: Instance): boolean {
    return (
      i.status === 'online' &&
      (i.config.listen.length > 0 || (i.config.exec_mode === 'cluster_mode' && i.config.agent))
    );
  }

  /**
   * Reload: for each app, one instance at a time (capacity never drops below N-1), a new process is
   * started, awaited until ready, then the old one is drained and stopped. An instance that cannot
   * be reloaded that way is restarted, and the result says so. A new process that fails to become
   * ready aborts that app's reload and leaves its old processes serving.
   */
  async reloadInstances(insts: Instance[], reason: string): Promise<OpResult> {
    const notes: string[] = [];
    const failed: NonNullable<OpResult['failed']> = [];
    const byApp = new Map<string, Instance[]>();
    for (const i of insts) byApp.set(i.config.name, [...(byApp.get(i.config.name) ?? []), i]);
    await Promise.all(
      [...byApp].map(async ([name, list]) => {
        const restarts = list.filter((i) => !this.zeroDowntime(i));
        if (restarts.length > 0) {
          notes.push(
            `${name}: reload of a fork-mode app without a shared socket is a restart (set listen, or exec_mode cluster for Node)`,
          );
        }
        for (const i of list) {
          if (!this.zeroDowntime(i)) {
            await this.restartOne(i, reason);
            continue;
          }
          const res = await i.reload(reason);
          if (!res.ok) {
            failed.push({
              pm_id: i.pm_id,
              name,
              reason: res.reason ?? 'failed',
              log_tail: res.tail ?? [],
            });
            notes.push(`${name}: reload aborted at id ${i.pm_id}; the old processes keep serving`);
            break;
          }
        }
      }),
    );
    return { ids: insts.map((i) => i.pm_id), notes, failed };
  }

  /**
   * `scale <app> N|+N|-N`: new instances copy the app's config (lowest free instance numbers);
   * going down stops the highest instance numbers gracefully (drained first when possible).
   */
  async scale(name: string, spec: string): Promise<OpResult> {
    const list = this.instances().filter((i) => i.config.name === name);
    const first = list[0];
    if (!first) {
      throw new StewardError('E_APP_NOT_FOUND', `app not found: ${name}`, {
        hint: 'scale takes an app name; run `steward ls`',
      });
    }
    const m = /^([+-]?)(\d+)$/.exec(spec.trim());
    if (!m)
      throw new StewardError('E_USAGE', `scale: expected N, +N or -N, got ${JSON.stringify(spec)}`, {
        hint: 'e.g. `steward scale api 4`',
      });
    const n = Number(m[2]);
    const target = m[1] === '+' ? list.length + n : m[1] === '-' ? list.length - n : n;
    if (target < 1) {
      throw new StewardError('E_USAGE', `scale: ${name} would have ${target} instances`, {
        hint: 'keep at least 1, or use `steward delete`',
      });
    }
    const cfg = { ...first.config, instances: target };
    for (const i of list) i.config = { ...i.config, instances: target };
    if (target > list.length) {
      const used = new Set(list.map((i) => i.index));
      const added: Instance[] = [];
      let index = 0;
      for (let k = list.length; k < target; k += 1) {
        while (used.has(index)) index += 1;
        used.add(index);
        added.push(this.add(cfg, index));
      }
      await Promise.all(added.map((i) => i.start('scale up')));
      return { ids: added.map((i) => i.pm_id), notes: [`${name}: ${list.length} → ${target} instances`] };
    }
    const removed = [...list].sort((a, b) => b.index - a.index).slice(0, list.length - target);
    await this.deleteInstances(removed, true);
    return { ids: removed.map((i) => i.pm_id), notes: [`${name}: ${list.length} → ${target} instances`] };
  }

  /**
   * Applies an ecosystem file. Apps are matched by name (in any namespace, as PM2 does): `start`,
   * `restart` and `reload` restart the ones that exist with the file's config and environment (so
   * that a variable removed from the file is removed) and start the missing ones; `stop` and
   * `delete` act on the ones that exist. Instance counts are not reconciled (use `scale`).
   */
  async apply(apps: AppConfig[], action: ApplyAction, settleMs: number): Promise<ApplyResult> {
    this.checkUsers(apps);
    const notes: string[] = [];
    const fresh: AppConfig[] = [];
    const ids: number[] = [];
    const work: Array<Promise<void>> = [];
    const restarted: Instance[] = [];
    for (const cfg of apps) {
      const existing = this.instances().filter((i) => i.config.name === cfg.name);
      if (existing.length === 0) {
        if (action === 'stop' || action === 'delete')
          notes.push(`${cfg.name} is not managed; nothing to ${action}`);
        else fresh.push(cfg);
        continue;
      }
      ids.push(...existing.map((i) => i.pm_id));
      if (action === 'stop') work.push(...existing.map((i) => i.stop()));
      else if (action === 'delete') work.push(this.deleteInstances(existing));
      else {
        if (existing.length !== cfg.instances) {
          notes.push(
            `${cfg.name}: the file says ${cfg.instances} instance(s), ${existing.length} run; instance counts are not changed by ${action}`,
          );
        }
        for (const i of existing) {
          i.config = cfg;
          restarted.push(i);
          if (action === 'restart' || action === 'start')
            work.push(this.restartOne(i, `${action} from config file`));
        }
      }
    }
    await Promise.all(work);
    let reloadRes: OpResult | undefined;
    if (action === 'reload' && restarted.length > 0)
      reloadRes = await this.reloadInstances(restarted, 'reload from config file');
    let failed: StartResult['failed'] = [];
    if (fresh.length > 0) {
      const res = await this.start(fresh, false, settleMs);
      ids.push(...res.ids);
      failed = res.failed;
    }
    if (reloadRes) {
      notes.push(...reloadRes.notes);
      for (const f of reloadRes.failed ?? [])
        failed.push({ pm_id: f.pm_id, name: f.name, exit: f.reason, log_tail: f.log_tail });
    }
    return { ids, failed, notes };
  }

  /** Running as another user needs a root daemon: say so before anything starts. */
  private checkUsers(apps: AppConfig[]): void {
    const me = process.getuid?.() ?? 0;
    for (const a of apps) {
      if ((a.uid !== null && a.uid !== me) || (a.gid !== null && a.gid !== (process.getgid?.() ?? 0))) {
        if (me !== 0) {
          throw new StewardError(
            'E_CONFIG',
            `${a.name}: uid/gid need the daemon to run as root (it runs as uid ${me})`,
            {
              hint: 'remove uid/gid, or run Steward as root (e.g. from `steward startup`)',
            },
          );
        }
      }
    }
  }

  async startTargets(targets: string[], cwd: string): Promise<OpResult> {
    const insts = this.resolve(targets, cwd);
    await Promise.all(
      insts.map(async (i) => {
        if (isRunning(i.status)) return this.restartOne(i, 'start of a running app restarts it');
        i.resetCounters();
        return i.start();
      }),
    );
    return { ids: insts.map((i) => i.pm_id), notes: [] };
  }

  async stop(targets: string[], cwd: string, unwatch = false): Promise<OpResult> {
    const insts = this.resolve(targets, cwd);
    // `stop --watch` turns watching off for good, as in PM2.
    if (unwatch) for (const i of insts) i.config = { ...i.config, watch: false };
    await Promise.all(insts.map((i) => i.stop()));
    return { ids: insts.map((i) => i.pm_id), notes: [] };
  }

  private async restartOne(i: Instance, reason: string): Promise<void> {
    const wasRunning = i.status === 'online' || i.status === 'launching';
    await i.stop(reason);
    i.resetCounters();
    if (wasRunning) i.restart_time += 1;
    await i.start(reason);
  }

  async restart(
    targets: string[],
    cwd: string,
    updateEnv: boolean,
    shellEnv: Record<string, string> | undefined,
    reason = 'restart',
    toggleWatch = false,
  ): Promise<OpResult> {
    const insts = this.resolve(targets, cwd);
    if (updateEnv && shellEnv) for (const i of insts) i.config = { ...i.config, shell_env: shellEnv };
    // `restart --watch` toggles watching, as in PM2.
    if (toggleWatch) {
      for (const i of insts)
        i.config = { ...i.config, watch: i.config.watch === false ? [i.config.pm_cwd] : false };
    }
    await Promise.all(insts.map((i) => this.restartOne(i, reason)));
    return { ids: insts.map((i) => i.pm_id), notes: [] };
  }

  async delete(targets: string[], cwd: string): Promise<OpResult> {
    const insts = this.resolve(targets, cwd);
    await this.deleteInstances(insts);
    return { ids: insts.map((i) => i.pm_id), notes: [] };
  }

  /** Stops and removes these instances (by identity, never by name: an app may be called "all"). */
  private async deleteInstances(insts: Instance[], drain = false): Promise<void> {
    await Promise.all(insts.map((i) => (drain ? i.retire('scale down') : i.stop('delete'))));
    for (const i of insts) {
      i.dispose();
      this.table.delete(i.pm_id);
      this.opts.onChange({ pm_id: i.pm_id, name: i.config.name, event: 'delete', status: 'deleted' });
    }
    this.scheduleSync();
    for (const name of new Set(insts.map((i) => i.config.name))) {
      if (!this.instances().some((i) => i.config.name === name)) this.sockets.release(name);
    }
    if (this.table.size === 0) this.nextId = 0;
  }

  reset(targets: string[], cwd: string): OpResult {
    const insts = this.resolve(targets, cwd);
    for (const i of insts) {
      i.resetCounters();
      i.restart_time = 0;
      this.opts.onChange({ pm_id: i.pm_id, name: i.config.name, event: 'reset', status: i.status });
    }
    return { ids: insts.map((i) => i.pm_id), notes: [] };
  }

  async stopAll(): Promise<number> {
    const all = this.instances();
    await Promise.all(all.map((i) => i.stop('daemon shutdown')));
    return all.length;
  }

  /** Re-creates instances from a snapshot (journal or dump); returns them. */
  restore(snapshots: InstanceSnapshot[], keepIds: boolean): Instance[] {
    const out: Instance[] = [];
    for (const s of snapshots) {
      const free = keepIds && !this.table.has(s.pm_id);
      const inst = this.add(s.config, s.index, free ? s.pm_id : undefined);
      inst.restart_time = s.restart_time;
      inst.exit_code = s.exit_code;
      inst.history = [...s.history];
      inst.counters = { ...s.counters, pm_uptime: 0 };
      inst.status = s.status === 'errored' ? 'errored' : 'stopped';
      out.push(inst);
    }
    return out;
  }

  /** Samples again when the numbers are older than a second or a process is new since the last sample. */
  private refreshSamples(): void {
    const pids = this.instances()
      .filter((i) => i.pid > 0)
      .map((i) => i.pid);
    if (this.now() - this.sampler.lastRun < SAMPLE_MAX_AGE_MS && pids.every((p) => this.sampler.has(p)))
      return;
    this.sampler.run(pids);
  }

  list(): ProcSummary[] {
    this.refreshSamples();
    return this.instances().map((i) => summary(i, this.sampler.get(i.pid)));
  }

  /** The Prometheus exposition of every process (fresh samples, at most a second old). */
  prometheusText(): string {
    this.refreshSamples();
    return renderMetrics(this.instances(), (i) => this.sampler.get(i.pid), this.now());
  }

  /** `jlist` as JSON text, from per-instance cached pieces (what the RPC method sends). */
  jlistJson(insts: Instance[] = this.instances()): string {
    this.refreshSamples();
    const home = this.opts.paths.home;
    const parts = insts.map((i) =>
      pm2EntryJson(i, this.sampler.get(i.pid), home, i.pidPath, this.droppedBytes(i)),
    );
    return `[${parts.join(',')}]`;
  }

  /**
   * PM2's `trigger`: runs an action the app declared, on every matching instance that has it, and
   * collects each one's reply (up to `timeoutMs`).
   */
  async trigger(
    targets: string[],
    cwd: string,
    action: string,
    params: string | undefined,
    timeoutMs: number,
  ) {
    const insts = this.resolve(targets, cwd);
    const withAction = insts.filter((i) => i.actions.some((a) => a.action_name === action));
    if (withAction.length === 0) {
      const known = [...new Set(insts.flatMap((i) => i.actions.map((a) => a.action_name)))];
      throw new StewardError(
        'E_APP_NOT_FOUND',
        `no process of ${targets.join(', ')} has an action "${action}"`,
        {
          hint:
            known.length > 0
              ? `actions: ${known.join(', ')}`
              : 'the app declares none (is it running, with @pm2/io or steward/agent?)',
        },
      );
    }
    return Promise.all(
      withAction.map(
        (i) =>
          new Promise<{ pm_id: number; name: string; ok: boolean; return?: unknown; error?: string }>(
            (resolve) => {
              const key = `${i.pm_id}\0${action}`;
              const timer = setTimeout(() => {
                this.replyWaiters.delete(key);
                resolve({
                  pm_id: i.pm_id,
                  name: i.config.name,
                  ok: false,
                  error: `no reply within ${timeoutMs}ms`,
                });
              }, timeoutMs);
              this.replyWaiters.set(key, (data) => {
                clearTimeout(timer);
                this.replyWaiters.delete(key);
                // steward/agent replies a failed action as `{ error }` (@pm2/io has no such field).
                const error = isRecordish(data) && typeof data.error === 'string' ? data.error : undefined;
                resolve(
                  error !== undefined
                    ? { pm_id: i.pm_id, name: i.config.name, ok: false, error }
                    : {
                        pm_id: i.pm_id,
                        name: i.config.name,
                        ok: true,
                        return: isRecordish(data) ? data.return : data,
                      },
                );
              });
              if (!i.trigger(action, params)) {
                clearTimeout(timer);
                this.replyWaiters.delete(key);
                resolve({ pm_id: i.pm_id, name: i.config.name, ok: false, error: 'not running' });
              }
            },
          ),
      ),
    );
  }

  /** Output of this instance lost to a full or slow disk (all its files). */
  droppedBytes(i: Instance): number {
    const p = i.logPaths;
    return [p.out, p.err, p.combined].reduce((n, f) => n + (f ? (this.logs.get(f)?.dropped ?? 0) : 0), 0);
  }

  /** Gives open log files the rotation policy of the current settings. */
  applyLogSettings(): void {
    for (const i of this.instances()) {
      const policy = rotationPolicy(i.config, this.logSettings);
      const p = i.logPaths;
      for (const f of [p.out, p.err, p.combined]) {
        const open = f ? this.logs.get(f) : undefined;
        if (open) open.policy = policy;
      }
    }
  }

  /** Empties log files (`flush`), whether or not they are open. */
  flushFiles(files: Iterable<string>): void {
    for (const f of files) {
      const open = this.logs.get(f);
      if (open) open.truncate();
      else {
        for (const p of [f, `${f}.idx`]) {
          try {
            truncateSync(p, 0);
          } catch {
            // no such file
          }
        }
      }
    }
  }

  snapshots(): InstanceSnapshot[] {
    return this.instances().map((i) => i.snapshot());
  }
}

function isRecordish(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}
