import { chmodSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { join } from 'node:path';
import { errnoCode, isStewardError, messageOf, StewardError } from '../../common/errors.js';
import { MAX_SOCKET_PATH, type HomePaths } from '../../common/paths.js';
import { acquireStartLock, type StartLock } from './start-lock.js';

/** How long a daemon waits for another one of the same home to finish starting. */
const START_LOCK_WAIT_MS = 12_000;

export function homeError(paths: HomePaths, e: unknown): StewardError {
  return new StewardError('E_HOME', `cannot use STEWARD_HOME ${paths.home}: ${messageOf(e)}`, {
    hint: 'make it writable by you, or point STEWARD_HOME at a directory you own',
    cause: e,
  });
}

/** Creates the home (0700, tightened if looser) and its logs/ and pids/ folders. */
export function prepareHome(paths: HomePaths): void {
  if (paths.socket.length > MAX_SOCKET_PATH) {
    throw new StewardError(
      'E_HOME',
      `STEWARD_HOME path is too long for a unix socket (${paths.socket.length} > ${MAX_SOCKET_PATH} bytes)`,
      { hint: 'set STEWARD_HOME to a shorter path' },
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

/**
 * The start protocol (docs/architecture.md): under the home's start lock, a live socket means
 * another daemon serves the home (undefined); otherwise this daemon owns the start: it removes the
 * stale socket, writes daemon.pid, and gets the lock to release once its socket listens. Only the
 * lock's holder may remove a stale socket or write daemon.pid.
 */
export async function claimHome(paths: HomePaths): Promise<StartLock | undefined> {
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
    if (!lock.held()) continue;
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
    return lock;
  }
}

/** daemon.pid goes only if it still names this daemon (a new one may have written it since). */
export function releasePidFile(paths: HomePaths): void {
  try {
    if (readFileSync(paths.pidFile, 'utf8').trim() === String(process.pid)) unlinkSync(paths.pidFile);
  } catch {
    // already gone
  }
}
