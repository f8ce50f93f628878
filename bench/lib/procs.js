// /proc readers: daemon memory, and finding (then ending) every process this benchmark run started.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Every command the harness runs gets this variable; daemons and apps inherit it. */
export const RUN_MARK = 'STEWARD_BENCH_RUN';

/**
 * VmRSS and its parts (MiB) from one read of /proc/<pid>/status: anonymous memory (heaps, buffers:
 * what the process itself holds) and file-backed pages (its binary's code and other mapped files,
 * shared and reclaimable); undefined when the process is gone.
 */
export function rssParts(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'latin1');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)\\s+kB`, 'm').exec(s)?.[1] ?? NaN) / 1024;
    return { total: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile') };
  } catch {
    return undefined;
  }
}

/** VmRSS of a process in MB (MiB, as /proc reports KiB), or NaN when it is gone. */
export function rssMb(pid) {
  return rssParts(pid)?.total ?? NaN;
}

let clockTicks;
/** USER_HZ (`getconf CLK_TCK`, 100 almost everywhere): the unit of utime/stime in /proc/<pid>/stat. */
function clkTck() {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/**
 * CPU seconds (user + system, all threads) a process has used so far, from /proc/<pid>/stat
 * (resolution 1/CLK_TCK s, 10 ms); NaN when it is gone. Fields are counted after the last ')',
 * since the command name may hold spaces and parentheses (PM2's is "PM2 v7.0.4: God Daemon (…)").
 */
export function cpuSeconds(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const f = s.slice(s.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state): utime is field 14, stime field 15.
    return (Number(f[11]) + Number(f[12])) / clkTck();
  } catch {
    return NaN;
  }
}

/**
 * CPU % of one core (and CPU seconds) each of `pids` used over the next `seconds`, and its VmRSS
 * (MiB) at the end: what bench/web.js and bench/monit-cpu.js report.
 */
export async function measureCpu(pids, seconds) {
  const before = pids.map(cpuSeconds);
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const secs = (performance.now() - t0) / 1000;
  return pids.map((p, i) => {
    const cpuSec = cpuSeconds(p) - (before[i] ?? NaN);
    return { pct: (cpuSec / secs) * 100, cpuSec, rssMb: rssMb(p) };
  });
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

/** Children of a pid, from /proc/<pid>/task/*\/children (Linux ≥ 3.5). */
export function childrenOf(pid) {
  const out = [];
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) {
      const s = readFileSync(`/proc/${pid}/task/${t}/children`, 'latin1').trim();
      if (s) out.push(...s.split(/\s+/).map(Number));
    }
  } catch {
    // gone
  }
  return out;
}
