import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { messageOf, StewardError } from '../common/errors.js';
import { homePaths, resolveHome, type HomePaths } from '../common/paths.js';
import { packagePath, stewardVersion } from '../common/version.js';
import { HeapKeeper } from './logs/heap-keeper.js';
import { LogFile } from './logs/log-file.js';
import { Notifier } from './notify/notifier.js';
import { EventBus } from './rpc/event-bus.js';
import { buildHandlers } from './rpc/handlers.js';
import { RpcServer } from './rpc/server.js';
import { claimHome, prepareHome, releasePidFile } from './state/home.js';
import { Journal } from './state/journal.js';
import { recoverTable } from './state/recover-table.js';
import { loadSettings, updateSetting } from './state/settings.js';
import { Supervisor } from './table/supervisor.js';
import { startHistory } from './views/history-recorder.js';
import { MetricsServer, metricsToken } from './views/prometheus.js';
import { WebKeeper } from './web/keeper.js';

/**
 * The daemon: one per STEWARD_HOME. Started detached by the first CLI command; reports readiness
 * (or the reason it could not start) as one JSON line on stdout, which the CLI reads, then never
 * writes to stdout again. Its own log is daemon.log. This file only wires the parts together.
 */
const DAEMON_LOG_MAX = 10 * 1024 * 1024;

function ready(msg: { ok: boolean; pid?: number; error?: string; hint?: string; code?: string }): void {
  try {
    process.stdout.write(JSON.stringify(msg) + '\n');
  } catch {
    // the CLI went away; nothing to tell
  }
}

/** The daemon's own log, rotated like app logs (PM2's pm2.log never is). */
function openDaemonLog(paths: HomePaths): { file: LogFile; log: (msg: string) => void } {
  const file = new LogFile(
    paths.daemonLog,
    { maxSize: DAEMON_LOG_MAX, retain: 3, compress: false, interval: null },
    { warn: () => undefined, fallback: () => undefined },
  );
  const log = (msg: string) => {
    const at = Date.now();
    file.write(Buffer.from(`${new Date(at).toISOString()} ${msg}\n`), at);
  };
  return { file, log };
}

/**
 * tsx's loader URL, or '' when tsx is not installed (it is an optional peer dependency). Looked up
 * when a TypeScript app first needs it, and again after a miss, so installing tsx needs no restart.
 */
function tsxLoader(log: (msg: string) => void): () => string {
  let url = '';
  let warned = false;
  return () => {
    if (url) return url;
    try {
      // tsx's main entry registers both its ESM and CommonJS hooks (a .ts file in a CommonJS package).
      url = import.meta.resolve('tsx');
    } catch {
      if (!warned) log('tsx is not installed: TypeScript apps need Node 22.18+ (type stripping) or tsx');
      warned = true;
    }
    return url;
  };
}

async function main(): Promise<void> {
  const paths = homePaths(resolveHome());
  prepareHome(paths);
  const lock = await claimHome(paths);
  if (!lock) {
    // Another daemon serves this home: the CLI that started us connects to it.
    ready({ ok: true, pid: 0 });
    process.exit(0);
  }
  const { file: daemonLog, log } = openDaemonLog(paths);
  log(
    `daemon ${stewardVersion()} starting (pid ${process.pid}, node ${process.version}, home ${paths.home})`,
  );

  const heapKeeper = new HeapKeeper();
  const bus = new EventBus();
  const journal = new Journal(paths.state, () => supervisor.snapshots(), log);
  const findTsx = tsxLoader(log);
  const notifier = new Notifier({ home: paths.home, log, instances: () => supervisor.instances() });
  const supervisor: Supervisor = new Supervisor({
    paths,
    spawn: {
      home: paths.home,
      nodePath: process.execPath,
      nodeVersion: process.version,
      get tsxLoaderUrl() {
        return findTsx();
      },
      agentPath: packagePath('dist/src/agent/preload.cjs'),
    },
    log,
    fallbackOutput: (path, buf) => log(`output for ${path}: ${buf.toString('utf8').trimEnd()}`),
    wantsOutput: () => bus.wantsOutput() || notifier.wantsOutput(),
    onOutput: (inst, type, chunk, at) => {
      heapKeeper.traffic();
      if (bus.wantsOutput()) bus.output(inst, type, chunk, at);
      notifier.output(inst, type, chunk);
    },
    onReply: (inst, data) => bus.reply(inst, data),
    onChange: (ev) => {
      journal.changed();
      bus.event(ev);
      notifier.onTableEvent(ev);
    },
  });
  supervisor.logSettings = loadSettings(paths.settings);
  const metricsServer = new MetricsServer(
    () => supervisor.prometheusText(),
    () => metricsToken(join(paths.home, 'prometheus.token')),
    log,
  );
  const applyMetrics = () =>
    metricsServer
      .apply(supervisor.logSettings.prometheus_host, supervisor.logSettings.prometheus_port)
      .catch((e: unknown) => log(`metrics endpoint: ${messageOf(e)}`));

  const web = new WebKeeper({
    home: paths.home,
    nodePath: process.execPath,
    entry: packagePath('dist/web.js'),
    log,
  });
  const metricsHistory = startHistory(supervisor, () => web.enabled);

  // What a previous daemon left (journal): its orphaned processes are ended first.
  const restartRecovered = await recoverTable(paths, supervisor, log);

  let shuttingDown = false;
  /** Stops every app (whatever it was doing) and exits; the journal is kept unless `kill`. */
  const shutdown = async (keepJournal: boolean, code: number, handover?: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`daemon stopping (${handover ?? (keepJournal ? 'signal' : 'kill')})`);
    if (keepJournal) {
      journal.write(handover);
      journal.freeze();
    }
    supervisor.guards.close();
    notifier.close();
    metricsHistory.stop();
    await web.close();
    await metricsServer.close();
    await supervisor.shutdown();
    if (!keepJournal) {
      supervisor.clear();
      journal.writeFinal();
    }
    await supervisor.logs.closeAll();
    supervisor.pipes.close();
    // daemon.pid goes while our socket still answers, so no new daemon can have written it yet.
    releasePidFile(paths);
    // close() unlinks the socket before it closes the listening fd (libuv), i.e. while it still
    // answers: a daemon starting meanwhile finds our live socket or none. Unlinking it again
    // after close() could remove the socket of such a new daemon.
    bus.server?.server.close();
    // Requests that came in meanwhile were refused or interrupted: their callers get that answer
    // rather than a closed connection.
    await bus.server?.answered(2000);
    log('daemon stopped');
    void daemonLog.close().then(() => process.exit(code));
  };
  const reopenLogs = () => {
    supervisor.logs.reopenAll();
    daemonLog.reopen();
  };

  const server = new RpcServer(
    buildHandlers({
      supervisor,
      paths,
      log,
      subscribe: (c, topics, frames) => bus.subscribe(c, topics, frames),
      reloadLogs: reopenLogs,
      flushDaemonLog: () => daemonLog.truncate(),
      notify: notifier,
      setSetting: (key, value) => {
        if (key.startsWith('notify.')) {
          notifier.set(key, value);
          return { ...supervisor.logSettings, ...notifier.masked() };
        }
        supervisor.logSettings = updateSetting(paths.settings, supervisor.logSettings, key, value);
        supervisor.applyLogSettings();
        void applyMetrics();
        return { ...supervisor.logSettings };
      },
      kill: () => void shutdown(false, 0),
      handover: () => void shutdown(true, 0, 'update'),
      startedAt: Date.now(),
      history: metricsHistory.history,
      web,
    }),
    log,
    () => {
      journal.flush();
      // A burst of commands (a deploy starting 200 apps, a dashboard's polls) leaves garbage that
      // V8 may keep committed for minutes; the keeper collects it once the burst is over.
      heapKeeper.traffic();
    },
  );
  const oldUmask = process.umask(0o177);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.server.listen(paths.socket, () => resolve());
  });
  process.umask(oldUmask);
  bus.server = server;
  chmodSync(paths.socket, 0o600);
  lock.release();

  process.on('SIGTERM', () => void shutdown(true, 0));
  process.on('SIGINT', () => void shutdown(true, 0));
  process.on('SIGHUP', () => undefined);
  process.on('SIGUSR2', reopenLogs);
  process.on('uncaughtException', (e) => log(`uncaught exception: ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) =>
    log(`unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
  );
  process.stdout.on('error', () => undefined);

  await applyMetrics();
  notifier.start();
  log(`daemon ready on ${paths.socket}`);
  ready({ ok: true, pid: process.pid });
  restartRecovered();
  web.resume();
}

main().catch((e: unknown) => {
  const se = e instanceof StewardError ? e : undefined;
  ready({
    ok: false,
    error: messageOf(e),
    ...(se?.hint ? { hint: se.hint } : {}),
    ...(se ? { code: se.code } : {}),
  });
  process.exit(1);
});
