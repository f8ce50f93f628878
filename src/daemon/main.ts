import { chmodSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { errnoCode, isStewardError, messageOf, StewardError } from '../common/errors.js';
import { homePaths, MAX_SOCKET_PATH, resolveHome, type HomePaths } from '../common/paths.js';
import { packagePath, stewardVersion } from '../common/version.js';
import { buildHandlers } from './rpc/handlers.js';
import { HeapKeeper } from './logs/heap-keeper.js';
import { readSnapshot, serialize, writeSnapshot } from './state/persistence.js';
import { endLeftovers } from './state/recovery.js';
import { LogFile } from './logs/log-file.js';
import { MetricsServer, metricsToken } from './views/prometheus.js';
import { loadSettings, updateSetting } from './state/settings.js';
import { RpcServer, type Connection } from './rpc/server.js';
import { acquireStartLock, type StartLock } from './state/start-lock.js';
import { Supervisor } from './table/supervisor.js';

/**
 * The daemon: one per STEWARD_HOME. Started detached by the first CLI command; reports readiness
 * (or the reason it could not start) as one JSON line on stdout, which the CLI reads, then never
 * writes to stdout again. Its own log is daemon.log.
 */
const JOURNAL_COALESCE_MS = 100;
const DAEMON_LOG_MAX = 10 * 1024 * 1024;
/**
 * A `logs` follower that reads slower than this much buffered output loses lines (counted). Kept
 * small: with 1 MB, a follower of an app logging 1 GB as fast as it could grew the daemon's RSS by
 * 25 %; a terminal cannot show more than this in a second anyway.
 */
const FOLLOWER_MAX_BUFFER = 256 * 1024;
const NO_TOPICS: ReadonlySet<string> = new Set();

function ready(msg: { ok: boolean; pid?: number; error?: string; hint?: string; code?: string }): void {
  try {
    process.stdout.write(JSON.stringify(msg) + '\n');
  } catch {
    // the CLI went away; nothing to tell
  }
}

function prepareHome(paths: HomePaths): void {
  if (paths.socket.length > MAX_SOCKET_PATH) {
    throw new StewardError(
      'E_HOME',
      `STEWARD_HOME path is too long for a unix socket (${paths.socket.length} > ${MAX_SOCKET_PATH} bytes)`,
      {
        hint: 'set STEWARD_HOME to a shorter path',
      },
    );
  }
  try {
    mkdirSync(paths.home, { recursive: true, mode: 0o700 });
    if ((statSync(paths.home).mode & 0o077) !== 0) chmodSync(paths.home, 0o700);
    mkdirSync(paths.logs, { recursive: true, mode: 0o700 });
    mkdirSync(paths.pids, { recursive: true, mode: 0o700 });
  } catch (e) {
    throw homeError(paths, e);
  }
}

function homeError(paths: HomePaths, e: unknown): StewardError {
  return new StewardError('E_HOME', `cannot use STEWARD_HOME ${paths.home}: ${messageOf(e)}`, {
    hint: 'make it writable by you, or point STEWARD_HOME at a directory you own',
    cause: e,
  });
}

/**
 * False only when nobody listens on the socket for sure (no file, or connection refused): any
 * other failure (e.g. a full backlog) may be a live daemon, whose socket must not be removed.
 */
function socketAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', (e) => resolve(!['ENOENT', 'ECONNREFUSED'].includes(errnoCode(e) ?? '')));
  });
}

/** How long a daemon waits for another one of the same home to finish starting. */
const START_LOCK_WAIT_MS = 12_000;

/**
 * The start protocol (docs/architecture.md): under the home's start lock, a live socket means
 * another daemon serves the home (undefined); otherwise this daemon owns the start and returns
 * the lock, to be released once its socket listens. Only the lock's holder may remove a stale
 * socket or write daemon.pid.
 */
async function claimHome(paths: HomePaths): Promise<StartLock | undefined> {
  for (;;) {
    const lock = await acquireStartLock(join(paths.home, 'daemon.lock'), START_LOCK_WAIT_MS).catch(
      (e: unknown) => {
        throw isStewardError(e) ? e : homeError(paths, e);
      },
    );
    if (await socketAlive(paths.socket)) {
      lock.release();
      return undefined;
    }
    // Checked again after the probe: a stale-lock breaker may have displaced us (start-lock.ts).
    if (lock.held()) return lock;
  }
}

async function main(): Promise<void> {
  const paths = homePaths(resolveHome());
  prepareHome(paths);
  const lock = await claimHome(paths);
  if (!lock) {
    ready({ ok: true, pid: 0 });
    process.exit(0);
  }
  try {
    unlinkSync(paths.socket);
  } catch (e) {
    if (errnoCode(e) !== 'ENOENT') throw e;
  }
  try {
    writeFileSync(paths.pidFile, `${process.pid}\n`, { mode: 0o600 });
  } catch (e) {
    throw homeError(paths, e);
  }
  // The daemon's own log is rotated like app logs (PM2's pm2.log never is).
  const daemonLog = new LogFile(
    paths.daemonLog,
    { maxSize: DAEMON_LOG_MAX, retain: 3, compress: false, interval: null },
    { warn: () => undefined, fallback: () => undefined },
  );
  const log = (msg: string) => {
    const at = Date.now();
    daemonLog.write(Buffer.from(`${new Date(at).toISOString()} ${msg}\n`), at);
  };
  log(
    `daemon ${stewardVersion()} starting (pid ${process.pid}, node ${process.version}, home ${paths.home})`,
  );

  let tsxLoaderUrl = '';
  try {
    // tsx's main entry registers both its ESM and CommonJS hooks (a .ts file in a CommonJS package).
    tsxLoaderUrl = import.meta.resolve('tsx');
  } catch {
    log('tsx is not installed: TypeScript apps need a Node with type stripping');
  }

  let logFollowers = 0;
  const heapKeeper = new HeapKeeper();
  let journalFrozen = false;
  let journalPending = false;
  // Set once the socket is bound; events before that have no listener.
  const bus: { server?: RpcServer } = {};
  const writeJournal = (handover?: string) => {
    journalPending = false;
    if (journalFrozen) return;
    try {
      writeSnapshot(
        paths.state,
        serialize(supervisor.snapshots(), stewardVersion(), Date.now(), false, handover),
        undefined,
        false,
      );
    } catch (e) {
      log(`journal: ${messageOf(e)}`);
    }
  };
  const supervisor: Supervisor = new Supervisor({
    paths,
    spawn: {
      home: paths.home,
      nodePath: process.execPath,
      nodeVersion: process.version,
      tsxLoaderUrl,
      agentPath: packagePath('dist/src/agent/preload.cjs'),
    },
    log,
    fallbackOutput: (path, buf) => log(`output for ${path}: ${buf.toString('utf8').trimEnd()}`),
    wantsOutput: () => logFollowers > 0,
    onOutput: (inst, type, chunk, at) => {
      heapKeeper.traffic();
      const msg = () => ({
        pm_id: inst.pm_id,
        name: inst.config.name,
        namespace: inst.config.namespace,
        type,
        at,
      });
      bus.server?.broadcast('log', msg, (c) => topicsOf(c).has('logs'), FOLLOWER_MAX_BUFFER, chunk);
    },
    onReply: (inst, data) => {
      const msg = { pm_id: inst.pm_id, name: inst.config.name, data, at: Date.now() };
      bus.server?.broadcast('axm:reply', msg, (c) => topicsOf(c).has('events'));
    },
    onChange: (ev) => {
      // Coalesce bursts (`delete all` of 200 apps) into a few writes. A change lost to a crash in
      // this window is harmless: recovery also finds processes by their environment mark.
      if (!journalPending) {
        journalPending = true;
        setTimeout(writeJournal, JOURNAL_COALESCE_MS);
      }
      bus.server?.broadcast('event', { ...ev, at: Date.now() }, (c) => topicsOf(c).has('events'));
    },
  });
  const subscriptions = new WeakMap<object, Set<string>>();
  const topicsOf = (c: Connection) => subscriptions.get(c.socket) ?? NO_TOPICS;

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

  // Recover what a previous daemon left (journal), ending its orphaned processes first.
  let recovered: ReturnType<Supervisor['restore']> = [];
  let wasRunning = new Set<number>();
  let handedOver: string | null = null;
  try {
    const journal = readSnapshot(paths.state);
    handedOver = journal?.handover === 'update' ? journal.steward_version : null;
    const snaps = journal?.processes ?? [];
    const exclude = new Set([process.pid, process.ppid]);
    const grace = Math.min(5000, Math.max(1000, ...snaps.map((s) => s.config.kill_timeout)));
    const ended = await endLeftovers(snaps, paths.home, exclude, grace);
    if (ended > 0) log(`ended ${ended} leftover process(es) of a previous daemon`);
    wasRunning = new Set(
      snaps.filter((s) => s.status !== 'stopped' && s.status !== 'errored').map((s) => s.pm_id),
    );
    recovered = supervisor.restore(snaps, true);
  } catch (e) {
    log(`journal unusable, starting empty: ${messageOf(e)}`);
  }

  let shuttingDown = false;
  const shutdown = async (keepJournal: boolean, code: number, handover?: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    log(`daemon stopping (${handover ?? (keepJournal ? 'signal' : 'kill')})`);
    if (keepJournal) {
      writeJournal(handover);
      journalFrozen = true;
    }
    supervisor.guards.close();
    await metricsServer.close();
    await supervisor.shutdown();
    if (!keepJournal) {
      journalFrozen = false;
      supervisor.clear();
      writeJournal();
      journalFrozen = true;
    }
    await supervisor.logs.closeAll();
    supervisor.pipes.close();
    // daemon.pid goes while our socket still answers, so no new daemon can have written it yet.
    try {
      if (readFileSync(paths.pidFile, 'utf8').trim() === String(process.pid)) unlinkSync(paths.pidFile);
    } catch {
      // already gone
    }
    // close() unlinks the socket before it closes the listening fd (libuv), i.e. while it still
    // answers: a daemon starting meanwhile finds our live socket or none. Unlinking it again
    // after close() could remove the socket of such a new daemon.
    bus.server?.server.close();
    log('daemon stopped');
    void daemonLog.close().then(() => process.exit(code));
  };

  const server = new RpcServer(
    buildHandlers({
      supervisor,
      paths,
      log,
      subscribe: (c, topics, frames) => {
        if (frames) c.frames = true;
        const set = subscriptions.get(c.socket) ?? new Set<string>();
        for (const t of topics) set.add(t);
        subscriptions.set(c.socket, set);
        if (topics.includes('logs')) {
          logFollowers += 1;
          c.socket.once('close', () => (logFollowers -= 1));
        }
      },
      reloadLogs: () => {
        supervisor.logs.reopenAll();
        daemonLog.reopen();
      },
      flushDaemonLog: () => daemonLog.truncate(),
      setSetting: (key, value) => {
        supervisor.logSettings = updateSetting(paths.settings, supervisor.logSettings, key, value);
        supervisor.applyLogSettings();
        void applyMetrics();
        return { ...supervisor.logSettings };
      },
      kill: () => void shutdown(false, 0),
      handover: () => void shutdown(true, 0, 'update'),
      startedAt: Date.now(),
    }),
    log,
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
  process.on('SIGUSR2', () => {
    supervisor.logs.reopenAll();
    daemonLog.reopen();
  });
  process.on('uncaughtException', (e) => log(`uncaught exception: ${e.stack ?? e.message}`));
  process.on('unhandledRejection', (e) =>
    log(`unhandled rejection: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`),
  );
  process.stdout.on('error', () => undefined);

  await applyMetrics();
  log(`daemon ready on ${paths.socket}`);
  ready({ ok: true, pid: process.pid });
  for (const inst of recovered) {
    if (!wasRunning.has(inst.pm_id)) continue;
    if (handedOver !== null) {
      // `steward update`: the same list, ids and counters, under the new version.
      void inst.start(`update from Steward ${handedOver} to ${stewardVersion()}`);
    } else {
      void inst.start('recovered after the previous daemon died', { countRestart: true });
    }
  }
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
