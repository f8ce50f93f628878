import { Cron } from 'croner';
import type { AppConfig } from '../../config/app-config.js';
import { HealthRunner } from './health.js';
import type { Instance } from '../lifecycle/instance.js';
import { treeRss } from '../views/sampler.js';
import { processEnv } from '../process/spawn-spec.js';
import { AppWatcher, DEFAULT_QUIET_MS } from './watch.js';

/** What the guards need from the supervisor. */
export interface GuardHost {
  instances: () => Instance[];
  home: string;
  /** Restarts (or reloads, when that is zero-downtime) one instance, recording the reason. */
  restartInstance: (inst: Instance, reason: string) => Promise<void>;
  /** Restarts every instance of an app (starting stopped ones), recording the reason. */
  restartApp: (name: string, reason: string) => Promise<void>;
  log: (msg: string) => void;
}

const MEMORY_TICK_MS = 100;

/**
 * Everything that restarts an app on its own, beyond a crash: liveness probes (per process),
 * the memory limit (per process tree, checked every `memory_check_interval`), the cron schedule
 * and the file watcher (per app). `sync()` is called after every change of the table.
 */
export class Guards {
  private readonly health = new Map<Instance, { pid: number; runner: HealthRunner }>();
  private readonly cron = new Map<string, { sig: string; job: Cron }>();
  private readonly watchers = new Map<string, { sig: string; watcher: AppWatcher; started: Promise<void> }>();
  private readonly memoryDue = new Map<Instance, number>();
  private readonly busy = new Set<Instance>();
  private memoryTimer: NodeJS.Timeout | undefined;

  constructor(private readonly host: GuardHost) {}

  /** Brings runners, jobs and watchers in line with the table. */
  sync(): void {
    const insts = this.host.instances();
    const apps = new Map<string, AppConfig>();
    for (const i of insts) apps.set(i.config.name, i.config);
    // A stopped app is not watched (a change must not start it); its cron job stays, as in PM2.
    const running = new Map<string, AppConfig>();
    for (const i of insts)
      if (i.status !== 'stopped' && i.status !== 'errored') running.set(i.config.name, i.config);
    this.syncHealth(insts);
    this.syncCron(apps);
    this.syncWatch(running, insts);
    const needMemory = insts.some((i) => i.config.max_memory_restart !== null && i.status === 'online');
    if (needMemory && !this.memoryTimer) {
      this.memoryTimer = setInterval(() => this.checkMemory(), MEMORY_TICK_MS);
      this.memoryTimer.unref();
    } else if (!needMemory && this.memoryTimer) {
      clearInterval(this.memoryTimer);
      this.memoryTimer = undefined;
    }
  }

  private syncHealth(insts: Instance[]): void {
    const live = new Set<Instance>();
    for (const i of insts) {
      const cfg = i.config.health;
      const cur = this.health.get(i);
      const pid = i.status === 'online' ? i.pid : 0;
      if (!cfg || pid === 0) continue;
      live.add(i);
      if (cur && cur.pid === pid) continue;
      cur?.runner.stop();
      const runner = new HealthRunner(
        cfg,
        i.config.pm_cwd,
        processEnv(i.config, i.pm_id, i.index, this.host.home),
        (reason) => {
          this.health.delete(i);
          this.restart(i, reason);
        },
      );
      runner.start();
      this.health.set(i, { pid, runner });
    }
    for (const [i, h] of this.health) {
      if (!live.has(i)) {
        h.runner.stop();
        this.health.delete(i);
      }
    }
  }

  private restart(i: Instance, reason: string): void {
    if (this.busy.has(i)) return;
    this.busy.add(i);
    i.note('guard', reason);
    this.host.log(`[${i.config.name}:${i.pm_id}] ${reason}; restarting`);
    // A restart refused or interrupted (the app is being stopped or deleted) is not retried.
    void this.host
      .restartInstance(i, reason)
      .catch((e: unknown) => this.host.log(`[${i.config.name}:${i.pm_id}] ${(e as Error).message}`))
      .finally(() => {
        this.busy.delete(i);
        this.sync();
      });
  }

  private checkMemory(): void {
    const now = Date.now();
    for (const i of this.host.instances()) {
      const limit = i.config.max_memory_restart;
      if (limit === null || i.status !== 'online' || i.pid === 0 || this.busy.has(i)) continue;
      if ((this.memoryDue.get(i) ?? 0) > now) continue;
      this.memoryDue.set(i, now + i.config.memory_check_interval);
      const rss = treeRss(i.pid);
      if (rss > limit) {
        const mb = (n: number) => `${Math.round(n / 1024 / 1024)}MB`;
        this.restart(i, `memory ${mb(rss)} over max_memory_restart ${mb(limit)}`);
      }
    }
  }

  private syncCron(apps: Map<string, AppConfig>): void {
    for (const [name, cfg] of apps) {
      const sig = cfg.cron_restart ?? '';
      const cur = this.cron.get(name);
      if (cur?.sig === sig) continue;
      cur?.job.stop();
      this.cron.delete(name);
      if (!cfg.cron_restart) continue;
      const job = new Cron(cfg.cron_restart, { unref: true, protect: true }, () => {
        this.host
          .restartApp(name, `cron_restart ${cfg.cron_restart ?? ''}`)
          .catch((e: unknown) => this.host.log(`[${name}] cron restart: ${(e as Error).message}`));
      });
      this.cron.set(name, { sig, job });
    }
    for (const [name, c] of this.cron) {
      if (!apps.has(name)) {
        c.job.stop();
        this.cron.delete(name);
      }
    }
  }

  private syncWatch(apps: Map<string, AppConfig>, insts: Instance[]): void {
    for (const [name, cfg] of apps) {
      const enabled = cfg.watch !== false;
      const sig = enabled ? JSON.stringify([cfg.watch, cfg.ignore_watch, cfg.watch_delay, cfg.pm_cwd]) : '';
      const cur = this.watchers.get(name);
      if (cur?.sig === sig) continue;
      cur?.watcher.close();
      this.watchers.delete(name);
      if (!enabled) continue;
      const own = insts
        .filter((i) => i.config.name === name)
        .flatMap((i) => [i.logPaths.out, i.logPaths.err, i.logPaths.combined, i.pidPath])
        .filter((p): p is string => p !== null);
      const watcher = new AppWatcher({
        paths: cfg.watch === true ? [cfg.pm_cwd] : (cfg.watch as string[]),
        root: cfg.pm_cwd,
        ignoreWatch: cfg.ignore_watch,
        ownFiles: own,
        quietMs: cfg.watch_delay > 0 ? cfg.watch_delay : DEFAULT_QUIET_MS,
        warn: (message) => this.host.log(`[${name}] ${message}`),
        restart: (paths) =>
          this.host.restartApp(
            name,
            `watch: ${paths[0] ?? '?'}${paths.length > 1 ? ` (+${paths.length - 1} more)` : ''} changed`,
          ),
        loop: (paths) => {
          const reason = `watch restart loop: ${paths.slice(0, 3).join(', ')} changed right after each start (the app writes into its watched tree?); watching stopped — add them to ignore_watch`;
          this.host.log(`[${name}] ${reason}`);
          for (const i of this.host.instances().filter((x) => x.config.name === name)) {
            i.setConfig({ ...i.config, watch: false });
            i.note('watch', reason);
          }
          this.sync();
        },
      });
      const started = watcher
        .start()
        .catch((e: unknown) => this.host.log(`[${name}] watch: ${(e as Error).message}`));
      this.watchers.set(name, { sig, watcher, started });
    }
    for (const [name, w] of this.watchers) {
      if (!apps.has(name) || apps.get(name)?.watch === false) {
        w.watcher.close();
        this.watchers.delete(name);
      }
    }
  }

  /** Resolves once every watcher has walked its tree (changes from now on are seen). */
  async watchesReady(): Promise<void> {
    await Promise.all([...this.watchers.values()].map((w) => w.started));
  }

  close(): void {
    for (const h of this.health.values()) h.runner.stop();
    for (const c of this.cron.values()) c.job.stop();
    if (this.memoryTimer) clearInterval(this.memoryTimer);
    for (const w of this.watchers.values()) w.watcher.close();
  }
}
