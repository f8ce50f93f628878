// /proc readers: daemon memory, and finding (then ending) every process this benchmark run started.
import { readdirSync, readFileSync } from 'node:fs';

/** Every command the harness runs gets this variable; daemons and apps inherit it. */
export const RUN_MARK = 'STEWARD_BENCH_RUN';

/** VmRSS of a process in MB (MiB, as /proc reports KiB), or NaN when it is gone. */
export function rssMb(pid) {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function cmdlineOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0+$/, '').replace(/\0/g, ' ');
  } catch {
    return '?';
  }
}

/** Processes (other than this one) whose environment carries `STEWARD_BENCH_RUN=<runId>`. */
export function markedProcesses(runId) {
  const entry = `${RUN_MARK}=${runId}`;
  const out = [];
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    const pid = Number(n);
    if (pid === process.pid) continue;
    let env;
    try {
      env = readFileSync(`/proc/${n}/environ`, 'latin1');
    } catch {
      continue;
    }
    if (!env.split('\0').includes(entry)) continue;
    // Zombies have an empty cmdline and will be reaped by their parent; skip them.
    const cmd = cmdlineOf(pid);
    if (cmd === '' || cmd === '?') continue;
    out.push({ pid, cmd });
  }
  return out;
}

/** SIGKILLs the given processes; returns the ones that could be signalled. */
export function killAll(procs) {
  const killed = [];
  for (const p of procs) {
    try {
      process.kill(p.pid, 'SIGKILL');
      killed.push(p);
    } catch {
      // already gone
    }
  }
  return killed;
}

export function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === 'EPERM';
  }
}
