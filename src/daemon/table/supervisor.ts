import { join } from 'node:path';
import type { AppConfig } from '../../config/app-config.js';
import { isStewardError, StewardError } from '../../common/errors.js';
import type { HomePaths } from '../../common/paths.js';
import type { ProcSummary } from '../../protocol/methods.js';
import type { LifecycleEffects } from '../lifecycle/effects.js';
import { Instance, type InstanceHooks, type InstanceSnapshot } from '../lifecycle/instance.js';
import { Lane } from '../lifecycle/lane.js';
import { pm2EntryJson, summary } from '../views/jlist.js';
import { LogFiles } from '../logs/log-files.js';
import { DEFAULT_LOG_SETTINGS, type LogSettings } from '../logs/instance-output.js';
import type { StreamType } from '../logs/formatter.js';
import { Sampler } from '../views/sampler.js';
import type { SpawnContext } from '../process/spawn-spec.js';
import { resolveTargets } from './targets.js';
import { SocketBroker } from '../process/sockets.js';
import { Guards } from '../guards/guards.js';
import { PipeMaker } from '../process/pipes.js';
import { realEffects } from '../process/real-effects.js';
import { renderMetrics } from '../views/prometheus.js';
import { ReplyWaiters } from './actions.js';
import { launcherContext } from './launcher-context.js';
import { applyRotation, droppedBytes, flushFiles } from '../logs/table-logs.js';

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
  /** The lifecycle's effects; the real ones unless a test gives fakes. */
  effects?: LifecycleEffects;
}

const SAMPLE_MAX_AGE_MS = 1000;

/**
 * The process table and every operation on it. One per daemon. Operations on one instance go
 * through that instance's lane; operations on a group of an app's instances (rolling reload,
 * scale) go through the app's lane too, and stop or delete interrupt them there (lane.ts).
 */
export class Supervisor {
  private readonly table = new Map<number, Instance>();
  private readonly appLanes = new Map<string, Lane>();
  readonly logs: LogFiles;
  readonly sampler: Sampler;
  private nextId = 0;
  /** Set by shutdown(): nothing new may start. */
  private closing = false;
  readonly sockets = new SocketBroker();
  readonly guards: Guards;
  readonly replies = new ReplyWaiters();
  /** Set while a sync is scheduled; resolves once it ran. */
  private synced: Promise<void> | undefined;
  /** Global log rotation defaults (STEWARD_HOME/settings.json, `steward set`). */
  logSettings: LogSettings = { ...DEFAULT_LOG_SETTINGS };
  private readonly hooks: InstanceHooks;
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
    if (!opts.effects) this.pipes.warm();
    this.guards = new Guards({
      instances: () => this.instances(),
      home: opts.paths.home,
      restartInstance: (i, reason) => i.reload(reason, zeroDowntimeCapable(i.config)).then(() => undefined),
      restartApp: async (name, reason) => {
        const list = this.instances().filter((i) => i.config.name === name);
        await Promise.all(list.map((i) => i.start(reason, { restartIfRunning: true, resetCounters: true })));
      },
      log: opts.log,
    });
    this.hooks = {
      effects:
        opts.effects ??
        realEffects(
          launcherContext({
            ...opts,
            now: this.now,
            logs: this.logs,
            pipes: this.pipes,
            sockets: this.sockets,
            logSettings: () => this.logSettings,
            instance: (id) => this.table.get(id),
          }),
        ),
      logsDir: opts.paths.logs,
      pidsDir: opts.paths.pids,
      reply: (inst, data) => {
        this.replies.deliver(inst, data);
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

  /** Resolves once the guards have caught up with the table (and every watcher walked its tree). */
  async guardsReady(): Promise<void> {
    await this.synced;
    await this.guards.watchesReady();
  }

  instances(): Instance[] {
    return [...this.table.values()].sort((a, b) => a.pm_id - b.pm_id);
  }

  get size(): number {
    return this.table.size;
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

  /** The lane of an app's group operations. */
  appLane(name: string): Lane {
    let lane = this.appLanes.get(name);
    if (!lane) {
      lane = new Lane(() => name);
      this.appLanes.set(name, lane);
    }
    return lane;
  }

  private add(config: AppConfig, index: number, restored?: InstanceSnapshot, pmId?: number): Instance {
    const id = pmId ?? this.nextId;
    this.nextId = Math.max(this.nextId, id + 1);
    const inst = new Instance(id, config, index, this.hooks, restored);
    this.table.set(id, inst);
    return inst;
  }

  /** New instances of an app on the lowest free instance numbers. */
  addInstances(cfg: AppConfig, count: number): Instance[] {
    this.refuseWhenClosing();
    const used = new Set(
      this.instances()
        .filter((i) => i.config.name === cfg.name)
        .map((i) => i.index),
    );
    const out: Instance[] = [];
    let index = 0;
    for (let n = 0; n < count; n += 1) {
      while (used.has(index)) index += 1;
      used.add(index);
      out.push(this.add(cfg, index));
    }
    return out;
  }

  /** Running as another user needs a root daemon: say so before anything starts. */
  checkUsers(apps: AppConfig[]): void {
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

  /**
   * Stops and removes these instances (by identity, never by name: an app may be called "all").
   * A delete interrupts the apps' group operations unless it is one of them (scale down).
   */
  async deleteInstances(
    insts: Instance[],
    opts: { drain?: boolean; fromAppLane?: boolean } = {},
  ): Promise<void> {
    if (!opts.fromAppLane)
      for (const name of groupByApp(insts).keys()) this.appLane(name).interrupt('delete');
    const how = { refusal: 'is being deleted', after: 'was deleted', drain: opts.drain ?? false };
    const results = await Promise.allSettled(
      insts.map((i) => i.retire(opts.drain ? 'scale down' : 'delete', how)),
    );
    insts.forEach((i, k) => {
      const r = results[k];
      // Refused (E_GONE): another delete (or the shutdown) owns this instance and removes it once
      // its processes are gone; removing it now would hide a process that is still being stopped.
      if (r?.status === 'rejected' && isStewardError(r.reason) && r.reason.code === 'E_GONE') return;
      if (this.table.get(i.pm_id) !== i) return;
      this.table.delete(i.pm_id);
      this.opts.onChange({ pm_id: i.pm_id, name: i.config.name, event: 'delete', status: 'deleted' });
    });
    this.scheduleSync();
    for (const name of groupByApp(insts).keys()) {
      if (!this.instances().some((i) => i.config.name === name)) {
        this.sockets.release(name);
        this.appLanes.delete(name);
      }
    }
    if (this.table.size === 0) this.nextId = 0;
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (refused) throw refused.reason;
  }

  /**
   * Daemon shutdown: every instance is stopped (whatever it was doing) and refuses any later
   * operation, so nothing can start once the daemon is on its way out.
   */
  async shutdown(): Promise<number> {
    this.closing = true;
    const all = this.instances();
    for (const lane of this.appLanes.values()) lane.interrupt('daemon shutdown');
    const how = {
      refusal: 'is being stopped: the daemon is shutting down',
      after: 'was stopped by the daemon shutdown',
    };
    // An instance already being deleted refuses; its delete is then waited for (its lane's end).
    await Promise.all(all.map((i) => i.retire('daemon shutdown', how).catch(() => i.idle())));
    return all.length;
  }

  /** Forgets every instance (after `steward kill` stopped them all). */
  clear(): void {
    this.table.clear();
  }

  /** A process started now would outlive the daemon: new instances are refused once it is stopping. */
  private refuseWhenClosing(): void {
    if (this.closing)
      throw new StewardError('E_GONE', 'the daemon is shutting down', {
        hint: 'run the command again: a new daemon starts on demand',
      });
  }

  /** Re-creates instances from a snapshot (journal or dump); returns them. */
  restore(snapshots: InstanceSnapshot[], keepIds: boolean): Instance[] {
    this.refuseWhenClosing();
    return snapshots.map((s) => {
      const free = keepIds && !this.table.has(s.pm_id);
      return this.add(s.config, s.index, s, free ? s.pm_id : undefined);
    });
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

  /** Output of this instance lost to a full or slow disk (all its files). */
  droppedBytes(i: Instance): number {
    return droppedBytes(this.logs, i);
  }

  /** Gives open log files the rotation policy of the current settings. */
  applyLogSettings(): void {
    applyRotation(this.logs, this.instances(), this.logSettings);
  }

  /** Empties log files (`flush`), whether or not they are open. */
  flushFiles(files: Iterable<string>): void {
    flushFiles(this.logs, files);
  }

  snapshots(): InstanceSnapshot[] {
    return this.instances().map((i) => i.snapshot());
  }
}

/** Can this app's instances be replaced without downtime (a socket the new process can take over)? */
export function zeroDowntimeCapable(cfg: AppConfig): boolean {
  return cfg.listen.length > 0 || (cfg.exec_mode === 'cluster_mode' && cfg.agent);
}

export function groupByApp(insts: Instance[]): Map<string, Instance[]> {
  const byApp = new Map<string, Instance[]>();
  for (const i of insts) byApp.set(i.config.name, [...(byApp.get(i.config.name) ?? []), i]);
  return byApp;
}
