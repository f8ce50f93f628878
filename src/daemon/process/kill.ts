import { isAlive, processTree, readStat } from './procfs.js';

/**
 * Killing an app's processes: the whole process group (the app is spawned as a group leader) plus
 * any descendant that left the group (setsid), identified by pid and start time so a recycled pid
 * is never hit.
 */
export interface ProcIdentity {
  pid: number;
  startTime: number;
}

export function signalGroup(pgid: number, signal: NodeJS.Signals | number): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

export function signalPid(pid: number, signal: NodeJS.Signals | number): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** True while any process of the group exists (zombies excluded when we can tell). */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function snapshotTree(pid: number): ProcIdentity[] {
  const out: ProcIdentity[] = [];
  for (const p of processTree(pid)) {
    const st = readStat(p);
    if (st) out.push({ pid: p, startTime: st.startTime });
  }
  return out;
}

export function sameProcess(id: ProcIdentity): boolean {
  const st = readStat(id.pid);
  return st !== undefined && st.startTime === id.startTime && st.state !== 'Z';
}

/** SIGKILLs whatever of the snapshot still runs. Returns how many were killed. */
export function killSnapshot(ids: ProcIdentity[]): number {
  let n = 0;
  for (const id of ids) {
    if (sameProcess(id) && signalPid(id.pid, 'SIGKILL')) n += 1;
  }
  return n;
}

export function anyAlive(ids: ProcIdentity[]): boolean {
  return ids.some((id) => sameProcess(id));
}

export { isAlive };
