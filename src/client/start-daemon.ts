import { spawn, type ChildProcess } from 'node:child_process';
import { isErrorCode, messageOf, StewardError } from '../common/errors.js';
import type { HomePaths } from '../common/paths.js';
import { packagePath } from '../common/version.js';

const DAEMON_START_TIMEOUT_MS = 15_000;
/**
 * V8 flags of the daemon:
 * - a 1 MB young generation instead of 16 MB (measured: -6 MB RSS with 200 apps; the daemon
 *   allocates little and short-lived);
 * - gc() for the heap keeper (src/daemon/logs/heap-keeper.ts), which otherwise needs a second V8
 *   context to reach it (~0.6 MB of private memory);
 * - no V8 background threads (`--single-threaded`: the optimising compiler and the collector run
 *   on the main thread). The compiler thread's malloc arena kept what it freed: with 200 apps,
 *   after the bench's sequence of commands, private memory was 23.9–28.4 MB with the threads and
 *   20.3–20.9 MB without (issue 21; the V8 heap was the same). For a heap of ~10 MB the threads
 *   saved no CPU that could be measured: daemon CPU for 300 `jlist` of 200 apps 1.85–2.16 s with,
 *   1.63–1.77 s without; passing 30 MB of output 140–230 ms with, 170–200 ms without.
 */
export const DAEMON_NODE_FLAGS = ['--max-semi-space-size=1', '--expose-gc', '--single-threaded'];

/**
 * Spawns the daemon and waits for its one-line readiness report. Detached (own session, no
 * terminal) for the CLI; attached for the container runtime, which stays its parent.
 */
export async function startDaemon(
  paths: HomePaths,
  env: NodeJS.ProcessEnv,
  opts: { detached: boolean } = { detached: true },
): Promise<ChildProcess> {
  const entry = packagePath('dist/daemon.js');
  const childEnv: NodeJS.ProcessEnv = { ...env, STEWARD_HOME: paths.home };
  // A CLI run from inside a managed app must not pass the app's marks on to a new daemon.
  delete childEnv.STEWARD_SUPERVISOR;
  // glibc gives each thread that mallocs (libuv's pool writes the log files) an arena of its own;
  // two are plenty for the daemon. Measured with an app logging 300 MB and a follower attached:
  // peak RSS 67.0 → 62.5 MB. Apps do not inherit it (their environment comes from the CLI's).
  childEnv.MALLOC_ARENA_MAX ??= '2';
  const child = spawn(process.execPath, [...DAEMON_NODE_FLAGS, entry], {
    detached: opts.detached,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: childEnv,
    cwd: '/',
  });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => {
    if (err.length < 4000) err += d;
  });
  const report = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), DAEMON_START_TIMEOUT_MS);
    child.stdout.on('data', (d: string) => {
      out += d;
      const nl = out.indexOf('\n');
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(out.slice(0, nl));
      }
    });
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!out.includes('\n'))
        reject(new Error(`it exited with code ${code}${err ? `: ${err.trim().split('\n').pop()}` : ''}`));
    });
  }).catch((e: unknown) => {
    throw new StewardError('E_DAEMON_START', `cannot start the daemon: ${messageOf(e)}`, {
      hint: `see ${paths.daemonLog}`,
    });
  });
  child.stdout.destroy();
  child.stderr.destroy();
  child.unref();
  let msg: { ok?: boolean; error?: string; hint?: string; code?: string };
  try {
    msg = JSON.parse(report) as typeof msg;
  } catch {
    throw new StewardError(
      'E_DAEMON_START',
      `cannot start the daemon: unexpected output ${JSON.stringify(report.slice(0, 200))}`,
    );
  }
  if (!msg.ok) {
    throw new StewardError(
      isErrorCode(msg.code) ? msg.code : 'E_DAEMON_START',
      msg.error ?? 'the daemon failed to start',
      {
        hint: msg.hint ?? `see ${paths.daemonLog}`,
      },
    );
  }
  return child;
}
