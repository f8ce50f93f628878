import { groupAlive, killSnapshot, sameProcess, signalGroup, signalPid } from '../process/kill.js';
import type { InstanceSnapshot } from '../lifecycle/instance.js';
import { allPids, environHas, readStat } from '../process/procfs.js';
import { SUPERVISOR_MARK } from '../process/spawn-spec.js';

/**
 * After a daemon died without stopping its apps (kill -9, OOM), their processes may still run and
 * hold ports. Before the new daemon starts anything, it ends them: the recorded pids (checked by
 * start time so a recycled pid is never hit) and any process carrying this home's supervisor mark
 * in its environment (grandchildren, processes spawned after the last journal write).
 */
export async function endLeftovers(
  snapshots: InstanceSnapshot[],
  home: string,
  exclude: Set<number>,
  graceMs: number,
): Promise<number> {
  const mark = `${SUPERVISOR_MARK}=${home}`;
  const found = new Map<number, number>();
  for (const s of snapshots) {
    if (s.pid > 0 && sameProcess({ pid: s.pid, startTime: s.pid_start })) found.set(s.pid, s.pid_start);
  }
  for (const pid of allPids()) {
    if (exclude.has(pid) || found.has(pid)) continue;
    if (environHas(pid, mark)) {
      const st = readStat(pid);
      if (st && st.state !== 'Z') found.set(pid, st.startTime);
    }
  }
  if (found.size === 0) return 0;
  const ids = [...found].map(([pid, startTime]) => ({ pid, startTime }));
  // Ask politely first (group leaders get the group signal), then force what remains.
  for (const id of ids) {
    const st = readStat(id.pid);
    if (st && st.pgrp === id.pid) signalGroup(id.pid, 'SIGTERM');
    else signalPid(id.pid, 'SIGTERM');
  }
  const deadline = Date.now() + graceMs;
  while (
    Date.now() < deadline &&
    ids.some((id) => sameProcess(id) || (readStat(id.pid)?.pgrp === id.pid && groupAlive(id.pid)))
  ) {
    await new Promise((r) => setTimeout(r, 25));
  }
  for (const id of ids) if (readStat(id.pid)?.pgrp === id.pid) signalGroup(id.pid, 'SIGKILL');
  killSnapshot(ids);
  return ids.length;
}
