import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import type { Client } from '../client/client.js';
import { StewardError } from '../common/errors.js';
import type { AppConfig } from '../config/app-config.js';
import { isConfigFile } from '../config/ecosystem-load.js';
import { checkApp } from '../config/ecosystem-schema.js';
import { loadEcosystem } from '../config/ecosystem.js';
import { normalizeApp } from '../config/normalize.js';
import { nodeIo } from '../config/normalize-io.js';
import { isObject } from '../protocol/jsonrpc.js';
import { resolveServeScript } from '../serve/app.js';
import { Subscription } from './subscription.js';
import type {
  AppOptions,
  LogLine,
  LogsOptions,
  ProcessDescription,
  ProcessEvent,
  ProcessInfo,
  RestartOptions,
  StartOptions,
  StartResult,
  Target,
} from './types.js';

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v;
  return out;
}

const targetsOf = (t: Target | Target[]): string[] => (Array.isArray(t) ? t : [t]).map(String);

/** Does a streamed item belong to one of these targets (name, id, namespace or `all`)? */
function matches(targets: string[] | undefined, item: { pm_id: number; name: string; namespace?: string }) {
  if (!targets || targets.length === 0) return true;
  return targets.some(
    (t) => t === 'all' || t === item.name || t === String(item.pm_id) || t === item.namespace,
  );
}

/**
 * A typed connection to the Steward daemon of one home. Get one with `connect()`; every method is
 * one or two RPCs. Errors are `StewardError`s with a stable `code` (`E_APP_NOT_FOUND`, …) and a `hint`.
 *
 * @example
 * import { connect } from 'steward';
 * const steward = await connect();
 * await steward.start({ script: 'server.js', name: 'api', instances: 2, env: { PORT: 3000 } });
 * console.table(await steward.list());
 * await steward.restart('api');
 * steward.disconnect();
 */
export class StewardClient {
  private readonly subscriptions = new Set<Subscription<unknown>>();
  private readonly rpc: Client;

  /**
   * @internal Use `connect()`. (Typed `unknown` so that the public declarations do not pull in the
   * wire protocol's types.)
   */
  constructor(rpc: unknown) {
    this.rpc = rpc as Client;
  }

  /** STEWARD_HOME of the daemon this client talks to. */
  get home(): string {
    return this.rpc.paths.home;
  }

  /** The daemon's version and pid. */
  async daemon(): Promise<{ version: string; pid: number; home: string; startedAt: number }> {
    const h = await this.rpc.hello;
    return { version: h.version, pid: h.pid, home: h.home, startedAt: h.started_at };
  }

  /**
   * Starts apps: an app object (PM2 option names), several, a script path with options, or an
   * ecosystem file (`ecosystem.config.js`, `.json`, `.yml`…), checked and normalised as the CLI does.
   *
   * @example
   * await steward.start('worker.py', { name: 'worker', restart_delay: '2s' });
   * await steward.start('ecosystem.config.js', {}, { env: 'production', only: ['api'] });
   */
  async start(app: AppOptions | AppOptions[], options?: StartOptions): Promise<StartResult>;
  async start(script: string, app?: Omit<AppOptions, 'script'>, options?: StartOptions): Promise<StartResult>;
  async start(
    first: string | AppOptions | AppOptions[],
    second?: Omit<AppOptions, 'script'> | StartOptions,
    third?: StartOptions,
  ): Promise<StartResult> {
    if (this.rpc.remote) {
      // Apps are checked and normalised here (paths, interpreter, user, this process's environment):
      // on another host that would check the wrong machine and pass this machine's environment on.
      throw new StewardError(
        'E_USAGE',
        `start() is not available on a remote daemon (${this.rpc.remote.host})`,
        {
          hint: 'start apps with `steward --host … start`, which runs on the host; list, restart, reload, stop, delete, logs and events work remotely',
        },
      );
    }
    const opts: StartOptions =
      (typeof first === 'string' ? third : (second as StartOptions | undefined)) ?? {};
    const cwd = resolve(opts.cwd ?? process.cwd());
    const settle = opts.settleMs ?? 0;
    if (typeof first === 'string' && isConfigFile(first) && existsSync(resolve(cwd, first))) {
      const loaded = await loadEcosystem(first, {
        cwd,
        env: process.env,
        envName: opts.env,
        only: opts.only,
        cpus: availableParallelism(),
      });
      const res = await this.rpc.call('apply', { apps: loaded.apps, action: 'start', settle_ms: settle });
      return this.started(res.ids, res.failed, [...loaded.warnings, ...res.notes]);
    }
    const apps: AppOptions[] =
      typeof first === 'string'
        ? [{ ...(second as Omit<AppOptions, 'script'> | undefined), script: first }]
        : Array.isArray(first)
          ? first
          : [first];
    const warnings: string[] = [];
    const configs = apps.map((a, i) => this.normalize(a, i, cwd, warnings));
    const res = await this.rpc.call('start', {
      apps: configs,
      force: opts.force ?? false,
      settle_ms: settle,
    });
    return this.started(res.ids, res.failed, warnings);
  }

  private normalize(app: AppOptions, i: number, cwd: string, warnings: string[]): AppConfig {
    const where = `app ${typeof app.name === 'string' ? app.name : `#${i}`}`;
    const checked = checkApp(resolveServeScript({ ...app }, process.env), where);
    warnings.push(...checked.warnings);
    if (checked.errors.length > 0) {
      throw new StewardError('E_CONFIG', checked.errors.join('\n'), { hint: 'fix the app options' });
    }
    const n = normalizeApp(checked.app, {
      cwd,
      env: process.env,
      cpus: availableParallelism(),
      where,
      badCode: 'E_CONFIG',
      io: nodeIo,
    });
    warnings.push(...n.warnings);
    return n.config;
  }

  private async started(
    ids: number[],
    failed: Array<{ pm_id: number; name: string; exit: string; log_tail: string[] }>,
    warnings: string[],
  ): Promise<StartResult> {
    if (failed.length > 0) {
      const names = [...new Set(failed.map((f) => f.name))].join(', ');
      throw new StewardError('E_APP_CRASHED', `${names} exited right after starting`, {
        hint: failed[0]?.log_tail.join('\n') || 'see its error log',
        data: failed,
      });
    }
    const wanted = new Set(ids);
    const processes = (await this.list()).filter((p) => wanted.has(p.pm_id));
    return { processes, warnings };
  }

  /** Stops processes (they stay in the list). Resolves with the ids acted upon. */
  async stop(target: Target | Target[]): Promise<number[]> {
    return (await this.rpc.call('stop', { targets: targetsOf(target), cwd: process.cwd() })).ids;
  }

  /** Restarts processes (stop, then start). */
  async restart(target: Target | Target[], options: RestartOptions = {}): Promise<number[]> {
    return this.restartLike('restart', target, options);
  }

  /** Reloads processes: zero-downtime where the app allows it, otherwise a restart. */
  async reload(target: Target | Target[], options: RestartOptions = {}): Promise<number[]> {
    return this.restartLike('reload', target, options);
  }

  private async restartLike(
    method: 'restart' | 'reload',
    target: Target | Target[],
    options: RestartOptions,
  ): Promise<number[]> {
    const update = options.updateEnv ?? false;
    const res = await this.rpc.call(method, {
      targets: targetsOf(target),
      cwd: process.cwd(),
      update_env: update,
      ...(update ? { shell_env: stringEnv(process.env) } : {}),
    });
    return res.ids;
  }

  /** Stops processes and removes them from the list. */
  async delete(target: Target | Target[]): Promise<number[]> {
    return (await this.rpc.call('delete', { targets: targetsOf(target), cwd: process.cwd() })).ids;
  }

  /** The process list (`steward ls`), sorted by id. */
  async list(): Promise<ProcessInfo[]> {
    return (await this.rpc.call('list', {})) as ProcessInfo[];
  }

  /** Everything about the processes of one target, in PM2's `jlist` shape. */
  async describe(target: Target): Promise<ProcessDescription[]> {
    return (await this.rpc.call('describe', {
      targets: targetsOf(target),
      cwd: process.cwd(),
    })) as ProcessDescription[];
  }

  /** Every process in PM2's `jlist` shape. */
  async jlist(): Promise<ProcessDescription[]> {
    return (await this.rpc.call('jlist', {})) as ProcessDescription[];
  }

  /** Saves the process list for `resurrect` (and the boot service). */
  async save(options: { force?: boolean } = {}): Promise<{ path: string; count: number }> {
    return this.rpc.call('save', { force: options.force ?? false });
  }

  /** Starts the saved processes that are not running. */
  async resurrect(): Promise<{ ids: number[]; skipped: string[] }> {
    const res = await this.rpc.call('resurrect', {});
    return { ids: res.ids, skipped: res.skipped };
  }

  /**
   * The live output of the apps, from now on (past lines are in the log files, see `describe`).
   *
   * @example
   * const logs = await steward.logs({ targets: ['api'] });
   * logs.on('data', (l) => console.log(`[${l.name}] ${l.type}: ${l.data.trimEnd()}`));
   * // later: logs.close();
   */
  async logs(options: LogsOptions = {}): Promise<Subscription<LogLine>> {
    const targets = options.targets?.map(String);
    return this.track(
      await Subscription.open<LogLine>(this.home, ['logs'], (method, p) =>
        method === 'log' && isObject(p) && matches(targets, p as unknown as LogLine)
          ? (p as unknown as LogLine)
          : undefined,
      ),
    );
  }

  /**
   * Lifecycle events of every process (start, online, exit, restart, stop, errored, delete…).
   *
   * @example
   * const events = await steward.events();
   * for await (const e of events) if (e.event === 'exit') console.log(`${e.name} exited: ${e.reason}`);
   */
  async events(): Promise<Subscription<ProcessEvent>> {
    return this.track(
      await Subscription.open<ProcessEvent>(this.home, ['events'], (method, p) =>
        method === 'event' && isObject(p) ? (p as unknown as ProcessEvent) : undefined,
      ),
    );
  }

  /** Log lines and process events on one connection (what PM2's `launchBus` gives). */
  async logsAndEvents(): Promise<Subscription<LogLine | ProcessEvent>> {
    return this.track(
      await Subscription.open<LogLine | ProcessEvent>(this.home, ['logs', 'events'], (method, p) =>
        (method === 'log' || method === 'event') && isObject(p)
          ? (p as unknown as LogLine | ProcessEvent)
          : undefined,
      ),
    );
  }

  private track<T>(sub: Subscription<T>): Subscription<T> {
    const s = sub as Subscription<unknown>;
    this.subscriptions.add(s);
    sub.once('close', () => this.subscriptions.delete(s));
    return sub;
  }

  /** Stops every app and the daemon (`steward kill`); this client is disconnected afterwards. */
  async killDaemon(): Promise<{ stopped: number }> {
    const closed = this.rpc.waitClosed();
    const res = await this.rpc.call('kill', {});
    await closed;
    this.disconnect();
    return res;
  }

  /** Closes this connection and every stream opened from it. The daemon and its apps keep running. */
  disconnect(): void {
    for (const s of [...this.subscriptions]) s.close();
    this.rpc.close();
  }
}
