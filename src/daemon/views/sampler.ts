import { readFileSync } from 'node:fs';
import { CLOCK_TICKS, PAGE_SIZE, parseStat, ProcFile, processTree, readStat } from '../process/procfs.js';

export interface Usage {
  cpu: number;
  memory: number;
}

/**
 * CPU% and RSS of each instance's process tree, from /proc. Children are found through the main
 * thread's `children` file only: libuv spawns from the loop thread, and reading every thread's file
 * costs ~10 reads per Node process. CPU% is the tree's tick delta over the wall-clock delta since
 * the previous sample of the same process.
 *
 * A root's `stat` and `children` files stay open between samples and are read with pread (see
 * ProcFile): `jlist` once a second on 50 apps samples 50 trees a second, and the open/close of two
 * files per app were most of that cost.
 */
export class Sampler {
  private readonly prev = new Map<number, { ticks: number; at: number; start: number }>();
  private readonly files = new Map<number, { stat: ProcFile; children: ProcFile }>();
  private readonly cache = new Map<number, Usage>();
  lastRun = 0;

  constructor(private readonly now: () => number) {}

  has(pid: number): boolean {
    return this.cache.has(pid);
  }

  get(pid: number): Usage {
    return this.cache.get(pid) ?? { cpu: 0, memory: 0 };
  }

  /** Samples the given root pids; forgets every other pid. */
  run(pids: number[]): void {
    const at = this.now();
    const live = new Set(pids);
    for (const pid of this.prev.keys()) if (!live.has(pid)) this.prev.delete(pid);
    for (const pid of this.cache.keys()) if (!live.has(pid)) this.cache.delete(pid);
    for (const [pid, f] of this.files) {
      if (live.has(pid)) continue;
      f.stat.close();
      f.children.close();
      this.files.delete(pid);
    }
    for (const pid of pids) {
      let f = this.files.get(pid);
      if (!f) {
        f = {
          stat: new ProcFile(`/proc/${pid}/stat`),
          children: new ProcFile(`/proc/${pid}/task/${pid}/children`),
        };
        this.files.set(pid, f);
      }
      const text = f.stat.read();
      if (text === undefined) {
        // Gone (or a new process under that pid, which the next sample opens afresh).
        f.children.close();
        this.files.delete(pid);
        this.cache.delete(pid);
        continue;
      }
      const root = parseStat(pid, text);
      let ticks = root.cpuTicks;
      let rss = root.rssPages;
      const stack = splitPids(f.children.read());
      const seen = new Set<number>([pid]);
      while (stack.length > 0) {
        const c = stack.pop() as number;
        if (seen.has(c)) continue;
        seen.add(c);
        const st = readStat(c);
        if (!st) continue;
        ticks += st.cpuTicks;
        rss += st.rssPages;
        stack.push(...childrenOfMainThread(c));
      }
      const before = this.prev.get(pid);
      let cpu = 0;
      if (before && before.start === root.startTime && at > before.at) {
        const secs = (at - before.at) / 1000;
        cpu = Math.max(0, Math.round(((ticks - before.ticks) / CLOCK_TICKS / secs) * 1000) / 10);
      }
      this.prev.set(pid, { ticks, at, start: root.startTime });
      this.cache.set(pid, { cpu, memory: rss * PAGE_SIZE });
    }
    this.lastRun = at;
  }
}

function childrenOfMainThread(pid: number): number[] {
  try {
    return splitPids(readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1'));
  } catch {
    return [];
  }
}

function splitPids(text: string | undefined): number[] {
  const t = text?.trim();
  return t ? t.split(' ').map(Number) : [];
}

/** Resident memory of a process and all its descendants (every thread's children), in bytes. */
export function treeRss(pid: number): number {
  let rss = 0;
  for (const p of processTree(pid)) rss += (readStat(p)?.rssPages ?? 0) * PAGE_SIZE;
  return rss;
}
