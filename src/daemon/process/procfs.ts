import { closeSync, openSync, readFileSync, readdirSync, readSync } from 'node:fs';

/**
 * Small, synchronous readers of Linux's /proc. Each returns undefined (or an empty list) for a
 * process that is gone, because a pid can vanish between any two reads.
 */
export interface ProcStat {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
  /** user + system CPU time in clock ticks */
  cpuTicks: number;
  /** start time after boot, in clock ticks: with the pid, a process's identity */
  startTime: number;
  rssPages: number;
}

export const CLOCK_TICKS = 100;
export const PAGE_SIZE = 4096;

export function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  return parseStat(pid, text);
}

/** Parses the text of /proc/<pid>/stat. */
export function parseStat(pid: number, text: string): ProcStat {
  // The command name (field 2) may contain spaces and parentheses: parse after the last ')'.
  const close = text.lastIndexOf(')');
  const f = text.slice(close + 2).split(' ');
  // f[0] is field 3 (state); field N is f[N - 3].
  return {
    pid,
    state: f[0] ?? '?',
    ppid: Number(f[1]),
    pgrp: Number(f[2]),
    cpuTicks: Number(f[11]) + Number(f[12]),
    startTime: Number(f[19]),
    rssPages: Number(f[21]),
  };
}

/** Direct children of a process (all threads), via /proc/<pid>/task/<tid>/children. */
export function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').trim();
      if (text) for (const c of text.split(' ')) out.push(Number(c));
    } catch {
      // thread ended meanwhile
    }
  }
  return out;
}

/** The process and all its descendants (depth first, root first). */
export function processTree(pid: number): number[] {
  const seen = new Set<number>();
  const stack = [pid];
  const out: number[] = [];
  while (stack.length > 0) {
    const p = stack.pop() as number;
    if (seen.has(p)) continue;
    seen.add(p);
    out.push(p);
    for (const c of childrenOf(p)) stack.push(c);
  }
  return out;
}

/** Every pid on the machine that this user can see. */
export function allPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .map(Number);
  } catch {
    return [];
  }
}

/** True when the environment of `pid` holds exactly `entry` (`KEY=value`). */
export function environHas(pid: number, entry: string): boolean {
  try {
    const env = readFileSync(`/proc/${pid}/environ`, 'latin1');
    return env.split('\0').includes(entry);
  } catch {
    return false;
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const PROC_BUF = Buffer.allocUnsafe(64 * 1024);

/**
 * A /proc file kept open and read again with pread at offset 0, which makes the kernel generate it
 * afresh: one system call per read instead of readFileSync's open, fstat, read and close. The open
 * file belongs to the process it was opened for, so a new process that reuses the pid is never read
 * through it: once the process is gone, reads fail or come back empty, and `read` says undefined.
 */
export class ProcFile {
  private fd: number | undefined;
  constructor(private readonly path: string) {}

  read(): string | undefined {
    try {
      this.fd ??= openSync(this.path, 'r');
      const n = readSync(this.fd, PROC_BUF, 0, PROC_BUF.length, 0);
      if (n === 0) {
        this.close();
        return undefined;
      }
      // Longer than the buffer (a process with thousands of children): read it the plain way.
      return n < PROC_BUF.length ? PROC_BUF.toString('latin1', 0, n) : readFileSync(this.path, 'latin1');
    } catch {
      this.close();
      return undefined;
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    try {
      closeSync(this.fd);
    } catch {
      // already closed
    }
    this.fd = undefined;
  }
}
