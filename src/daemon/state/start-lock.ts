import { readlinkSync, renameSync, symlinkSync, unlinkSync } from 'node:fs';
import { errnoCode, StewardError } from '../../common/errors.js';
import { readStat } from '../process/procfs.js';

/**
 * The start lock of a home (`daemon.lock`): held by a starting daemon from before it looks at the
 * socket until its own socket listens, so that only one process at a time may judge a socket
 * stale, remove it, bind a new one and write daemon.pid.
 *
 * The lock is a symlink whose target names the holder, `<pid>:<start time>`: creating a symlink
 * is atomic and fails when the name exists (like O_EXCL), and it is never seen half written. A
 * lock whose holder is gone (or whose pid now belongs to another process: the start time differs)
 * is stale and broken; see `breakStale` for how without removing a live one.
 */
export interface StartLock {
  /** True while the lock file still names this process. */
  held(): boolean;
  /** Removes the lock if it is still ours. Idempotent. */
  release(): void;
}

const POLL_MS = 20;

/** `<pid>:<start time>` of a process, or undefined when it is gone (zombies included). */
function identity(pid: number): string | undefined {
  const st = readStat(pid);
  if (!st || st.state === 'Z' || st.state === 'X') return undefined;
  return `${pid}:${st.startTime}`;
}

/**
 * Waits up to `timeoutMs` for the lock at `path` and takes it. Fails with E_DAEMON_START when
 * another live process holds it for longer.
 */
export async function acquireStartLock(path: string, timeoutMs: number): Promise<StartLock> {
  const me = identity(process.pid);
  if (me === undefined) throw new Error('cannot read /proc/self/stat');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const holder = tryAcquire(path, me);
    if (holder === undefined) return ownLock(path, me);
    if (Date.now() > deadline) {
      throw new StewardError(
        'E_DAEMON_START',
        `another daemon for this home (pid ${holder.split(':')[0]}) has been starting for over ${Math.round(timeoutMs / 1000)} s`,
        { hint: `see its log; if it hangs, kill it and remove ${path}` },
      );
    }
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Takes the lock, or returns the identity of its live holder. */
function tryAcquire(path: string, me: string): string | undefined {
  for (;;) {
    try {
      symlinkSync(me, path);
      return undefined;
    } catch (e) {
      if (errnoCode(e) !== 'EEXIST') throw e;
    }
    let target: string;
    try {
      target = readlinkSync(path);
    } catch (e) {
      if (errnoCode(e) === 'ENOENT') continue; // released meanwhile
      throw e;
    }
    const pid = Number(target.split(':')[0]);
    if (Number.isInteger(pid) && pid > 0 && identity(pid) === target) return target;
    breakStale(path, target);
  }
}

/**
 * Removes the lock at `path` if it still is the stale one read as `target`. Reading and removing
 * are two steps, and between them another process may have broken the same stale lock and taken a
 * new one: so the lock is first renamed aside (atomic: whatever is at `path` now is ours alone),
 * then checked; a live lock taken by mistake is put back at once with an exclusive create.
 */
function breakStale(path: string, target: string): void {
  const aside = `${path}.stale.${process.pid}`;
  try {
    renameSync(path, aside);
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return; // someone else broke or released it
    throw e;
  }
  const got = readlinkSync(aside);
  unlinkSync(aside);
  if (got === target) return;
  try {
    symlinkSync(got, path);
  } catch (e) {
    // EEXIST: a third process took the lock in that instant; the holder we displaced sees it is
    // no longer `held()` before it touches the socket, and starts over.
    if (errnoCode(e) !== 'EEXIST') throw e;
  }
}

function ownLock(path: string, me: string): StartLock {
  const held = () => {
    try {
      return readlinkSync(path) === me;
    } catch {
      return false;
    }
  };
  const release = () => {
    process.removeListener('exit', release);
    if (!held()) return;
    try {
      unlinkSync(path);
    } catch {
      // already gone
    }
  };
  // A daemon that fails to start exits: the next one should not have to wait for the stale check.
  process.once('exit', release);
  return { held, release };
}
