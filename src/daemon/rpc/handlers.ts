import { readFileSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import { StewardError } from '../../common/errors.js';
import type { HomePaths } from '../../common/paths.js';
import { PROTOCOL_VERSION, stewardVersion } from '../../common/version.js';
import type { LateStartNotice, MethodName, ParamsOf, ResultOf } from '../../protocol/methods.js';
import { tailLines } from '../../cli/logs/tail.js';
import { loadDump, serialize, writeSnapshot } from '../state/persistence.js';
import { ParamSchemas } from './rpc-schemas.js';
import { RawJson, type Connection, type MethodDef } from './server.js';
import { processEnv } from '../process/spawn-spec.js';
import { trigger } from '../table/actions.js';
import { applyEcosystem } from '../table/apply.js';
import {
  applyUpdates,
  deleteTargets,
  reloadInstances,
  resetTargets,
  restartTargets,
  startApps,
  startTargets,
  stopTargets,
} from '../table/operations.js';
import { scale } from '../table/scale.js';
import type { Supervisor } from '../table/supervisor.js';
import { InstanceRings, type MetricsHistory } from '../views/history.js';
import type { WebKeeper } from '../web/keeper.js';

export interface HandlerDeps {
  supervisor: Supervisor;
  paths: HomePaths;
  log: (msg: string) => void;
  subscribe: (c: Connection, topics: string[], frames: boolean) => void;
  reloadLogs: () => void;
  flushDaemonLog: () => void;
  setSetting: (key: string, value: string | null) => Record<string, unknown>;
  /** The notifier (src/daemon/notify/notifier.ts). */
  notify: {
    status(): ResultOf<'notifyStatus'>;
    test(channel: string | undefined): Promise<ResultOf<'notifyTest'>>;
    emit(p: ParamsOf<'notifyEmit'>): ResultOf<'notifyEmit'>;
    masked(): Record<string, unknown>;
  };
  kill: () => void;
  /** Stops for `steward update`, leaving the table to the next daemon. */
  handover: () => void;
  startedAt: number;
  /** The metrics history (views/history.ts) and the web server's keeper (web/keeper.ts). */
  history: MetricsHistory;
  web: WebKeeper;
}

type Impl = {
  [M in MethodName]: (
    p: ParamsOf<M>,
    c: Connection,
  ) => ResultOf<M> | RawJson<ResultOf<M>> | Promise<ResultOf<M>>;
};

/** Late start failures not yet told (start-check.ts), each told once. */
function lateStarts(sup: Supervisor): { late_starts?: LateStartNotice[] } {
  const out: LateStartNotice[] = [];
  for (const i of sup.instances()) {
    const f = i.takeLateStartNotice();
    if (f) out.push({ pm_id: f.pm_id, name: f.name, exit: f.exit, after_ms: f.after_ms });
  }
  return out.length > 0 ? { late_starts: out } : {};
}

/** The daemon side of every RPC method. Params arrive already validated against ParamSchemas. */
export function buildHandlers(d: HandlerDeps): Record<string, MethodDef> {
  const sup = d.supervisor;
  const impl: Impl = {
    hello: (p) => ({
      version: stewardVersion(),
      protocol: PROTOCOL_VERSION,
      pid: process.pid,
      home: d.paths.home,
      started_at: d.startedAt,
      // The CLI asks for them: a crash after `start` returned is told to the next command.
      ...(p.notices ? lateStarts(sup) : {}),
    }),
    ping: () => ({ msg: 'pong' }),
    daemonStats: () => {
      const m = process.memoryUsage();
      return {
        pid: process.pid,
        uptime_ms: Math.round(process.uptime() * 1000),
        memory: {
          rss: m.rss,
          heap_total: m.heapTotal,
          heap_used: m.heapUsed,
          external: m.external,
          array_buffers: m.arrayBuffers,
        },
      };
    },
    list: () => sup.list(),
    jlist: () => new RawJson<unknown[]>(sup.jlistJson()),
    describe: (p) => new RawJson<unknown[]>(sup.jlistJson(sup.resolve(p.targets, p.cwd))),
    start: (p) => startApps(sup, p.apps, p.force, p.settle_ms),
    startTargets: (p) => startTargets(sup, p.targets, p.cwd),
    apply: (p) => applyEcosystem(sup, p.apps, p.action, p.settle_ms),
    stop: (p) => stopTargets(sup, p.targets, p.cwd, p.watch ?? false),
    restart: (p) =>
      restartTargets(sup, p.targets, p.cwd, {
        shellEnv: p.update_env ? p.shell_env : undefined,
        toggleWatch: p.watch ?? false,
        patch: p.options,
      }),
    reload: (p) => {
      const insts = sup.resolve(p.targets, p.cwd);
      applyUpdates(insts, { shellEnv: p.update_env ? p.shell_env : undefined, patch: p.options });
      return reloadInstances(sup, insts, 'reload');
    },
    scale: (p) => scale(sup, p.name, p.spec),
    trigger: (p) =>
      trigger(sup.resolve(p.targets, p.cwd), p.targets, sup.replies, p.action, p.params, p.timeout_ms),
    sendSignal: (p) => {
      const sig = (p.signal.startsWith('SIG') ? p.signal : `SIG${p.signal}`) as NodeJS.Signals;
      if (!(sig in osConstants.signals))
        throw new StewardError('E_USAGE', `unknown signal ${p.signal}`, { hint: 'e.g. SIGUSR2 or SIGHUP' });
      const insts = sup
        .resolve(p.targets, p.cwd)
        .filter((i) => i.status === 'online' || i.status === 'launching');
      const ok = insts.filter((i) => i.signal(sig));
      if (ok.length === 0)
        throw new StewardError('E_APP_NOT_FOUND', `no running process of ${p.targets.join(', ')}`, {
          hint: 'run `steward ls`',
        });
      return { ids: ok.map((i) => i.pm_id) };
    },
    sendLine: (p) => {
      const ok = sup.resolve(p.targets, p.cwd).filter((i) => i.writeStdin(p.line));
      if (ok.length === 0)
        throw new StewardError('E_APP_NOT_FOUND', `no running process of ${p.targets.join(', ')}`, {
          hint: 'run `steward ls`',
        });
      return { ids: ok.map((i) => i.pm_id) };
    },
    delete: (p) => deleteTargets(sup, p.targets, p.cwd),
    reset: (p) => resetTargets(sup, p.targets, p.cwd),
    // What the process really has (its environment at exec), else what it would get.
    env: (p) =>
      sup.resolve(p.targets, p.cwd).map((i) => ({
        pm_id: i.pm_id,
        env:
          (i.pid > 0 ? readEnviron(i.pid) : undefined) ??
          processEnv(i.config, i.pm_id, i.index, d.paths.home),
      })),
    save: (p) => {
      const snaps = sup.snapshots();
      if (snaps.length === 0 && !p.force) {
        throw new StewardError('E_EMPTY_LIST', 'refusing to save an empty process list over the saved one', {
          hint: 'use `steward save --force` to save it anyway, or `steward cleardump`',
        });
      }
      writeSnapshot(d.paths.dump, serialize(snaps, stewardVersion(), Date.now(), true), d.paths.dumpBak);
      d.web.saveDump();
      return { path: d.paths.dump, count: snaps.length };
    },
    resurrect: async () => {
      const { file, warning } = loadDump(d.paths.dump, d.paths.dumpBak);
      if (warning) d.log(`resurrect: ${warning}`);
      const present = new Set(sup.instances().map((i) => i.config.name));
      const skipped = [
        ...new Set(file.processes.filter((s) => present.has(s.config.name)).map((s) => s.config.name)),
      ];
      const todo = file.processes.filter((s) => !present.has(s.config.name));
      const insts = sup.restore(todo, true);
      const run = insts.filter((_, n) => {
        const st = todo[n]?.status;
        return st !== 'stopped' && st !== 'errored';
      });
      await Promise.all(run.map((i) => i.start('resurrect', { resetCounters: true })));
      await d.web.resurrect();
      return { ids: insts.map((i) => i.pm_id), skipped, ...(warning ? { warning } : {}) };
    },
    cleardump: () => {
      writeSnapshot(d.paths.dump, serialize([], stewardVersion(), Date.now(), true), d.paths.dumpBak);
      return { path: d.paths.dump };
    },
    kill: () => ({ stopped: sup.instances().length }),
    update: () => ({ version: stewardVersion(), processes: sup.instances().length }),
    subscribe: (p, c) => {
      d.subscribe(c, p.topics, p.frames ?? false);
      return { subscribed: p.topics };
    },
    logInfo: (p) =>
      (p.targets ? sup.resolve(p.targets, p.cwd) : sup.instances()).map((i) => {
        const paths = i.logPaths;
        const dropped = sup.droppedBytes(i);
        return {
          pm_id: i.pm_id,
          name: i.config.name,
          namespace: i.config.namespace,
          ...paths,
          dropped,
          date_format: i.config.log_date_format,
          json: i.config.log_type === 'json',
        };
      }),
    flush: (p) => {
      const insts = p.targets ? sup.resolve(p.targets, p.cwd) : sup.instances();
      const files = new Set<string>();
      for (const i of insts) {
        const paths = i.logPaths;
        for (const f of [paths.out, paths.err, paths.combined]) if (f) files.add(f);
      }
      sup.flushFiles(files);
      if (!p.targets) {
        d.flushDaemonLog();
        files.add(d.paths.daemonLog);
      }
      return { files: [...files] };
    },
    logTail: (p) => {
      // Only files this daemon writes: the socket is private, but the method is no general reader.
      const known = new Set<string>();
      for (const i of sup.instances()) {
        const paths = i.logPaths;
        for (const f of [paths.out, paths.err, paths.combined]) if (f) known.add(f);
      }
      const unknown = p.files.find((f) => !known.has(f));
      if (unknown !== undefined)
        throw new StewardError('E_BAD_REQUEST', `${unknown} is not a log file of an app`, {
          hint: 'ask `logInfo` for the log paths',
        });
      return p.files.map((f) => tailLines(f, p.lines));
    },
    reloadLogs: () => {
      d.reloadLogs();
      return { reopened: true };
    },
    getSettings: () => ({ ...sup.logSettings, ...d.notify.masked() }),
    setSetting: (p) => d.setSetting(p.key, p.value),
    notifyStatus: () => d.notify.status(),
    notifyTest: (p) => d.notify.test(p.channel),
    notifyEmit: (p) => d.notify.emit(p),
    history: (p) => {
      const now = Date.now();
      return (p.targets ? sup.resolve(p.targets, p.cwd) : sup.instances()).map((i) => ({
        pm_id: i.pm_id,
        name: i.config.name,
        ...(d.history.get(i.pm_id) ?? new InstanceRings()).read(now),
      }));
    },
    webStart: (p) => d.web.start(p),
    webStop: () => d.web.stop(),
    webStatus: () => d.web.status(),
  };
  const out: Record<string, MethodDef> = {};
  for (const name of Object.keys(impl) as MethodName[]) {
    const run = impl[name] as (p: unknown, c: Connection) => unknown;
    const after = name === 'kill' ? d.kill : name === 'update' ? d.handover : undefined;
    out[name] = { schema: ParamSchemas[name], run, ...(after ? { after } : {}) };
  }
  return out;
}

function readEnviron(pid: number): Record<string, string> | undefined {
  try {
    const out: Record<string, string> = {};
    for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) out[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return out;
  } catch {
    return undefined;
  }
}
