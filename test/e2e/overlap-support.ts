import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { BIN, markedPids, ROOT, waitFor, type Home, type JlistEntry, type RunResult } from '../helpers.js';

/**
 * Shared by the overlap tests (test/e2e/overlap.test.ts): the invariant "the process table agrees
 * with reality", commands with a time limit, and a seeded PRNG for the interleaving test.
 */

/** Statuses an instance passes through; the table is settled when none is left in one. */
export const TRANSITIONAL = new Set(['launching', 'stopping', 'waiting restart', 'one-launch-status']);

/** What /proc says about one process. */
export interface ProcInfo {
  pid: number;
  ppid: number;
  cmdline: string;
  /** `pm_id` and `name` from its environment (Steward sets both for every process it launches). */
  pmId: string | undefined;
  name: string | undefined;
}

export function procInfo(pid: number): ProcInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const env = readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
    const get = (k: string) => env.find((e) => e.startsWith(`${k}=`))?.slice(k.length + 1);
    return {
      pid,
      ppid: Number(rest[1]),
      cmdline: readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').trim(),
      pmId: get('pm_id'),
      name: get('name'),
    };
  } catch {
    return undefined;
  }
}

function describeProc(p: ProcInfo): string {
  return `pid ${p.pid} (pm_id=${p.pmId ?? '?'} name=${p.name ?? '?'} ppid ${p.ppid}): ${p.cmdline}`;
}

/** The table as one short line per entry, for failure messages. */
export function tableSummary(list: JlistEntry[]): string {
  if (list.length === 0) return '  (empty)';
  return list.map((e) => `  id ${e.pm_id} ${e.name}: ${e.pm2_env.status}, pid ${e.pid}`).join('\n');
}

/**
 * Every way the table disagrees with the processes that run with this home's mark, as readable
 * lines (empty when they agree):
 * - a pid the table lists is not running, or is not a process of this home, or of another id;
 * - two entries list the same pid; an entry is `online` without a pid;
 * - a process with the mark runs that the table does not list (a descendant of a listed pid is
 *   allowed: an app may fork); for an id the table lists, it is named as a second process of it;
 * - with `noneLeft`, any process with the mark at all.
 */
export function tableProblems(home: Home, list: JlistEntry[], opts: { noneLeft?: boolean } = {}): string[] {
  const problems: string[] = [];
  const marked = new Map<number, ProcInfo>();
  for (const pid of markedPids(home.dir)) {
    const info = procInfo(pid);
    if (info) marked.set(pid, info);
  }
  const listed = new Map<number, JlistEntry>();
  for (const e of list) {
    if (e.pid > 0) {
      const other = listed.get(e.pid);
      if (other) problems.push(`ids ${other.pm_id} and ${e.pm_id} both list pid ${e.pid}`);
      listed.set(e.pid, e);
      const info = marked.get(e.pid);
      if (!info) {
        problems.push(
          `id ${e.pm_id} (${e.name}) is ${e.pm2_env.status} with pid ${e.pid}, which is not a running process of this home`,
        );
      } else if (info.pmId !== String(e.pm_id)) {
        problems.push(`id ${e.pm_id} (${e.name}) lists pid ${e.pid}, a process of pm_id ${info.pmId ?? '?'}`);
      }
    } else if (e.pm2_env.status === 'online') {
      problems.push(`id ${e.pm_id} (${e.name}) is online with no pid`);
    }
  }
  const descendsFromListed = (p: ProcInfo): boolean => {
    const seen = new Set<number>();
    let ppid = p.ppid;
    while (ppid > 1 && !seen.has(ppid)) {
      if (listed.has(ppid)) return true;
      seen.add(ppid);
      const parent = marked.get(ppid) ?? procInfo(ppid);
      if (!parent) return false;
      ppid = parent.ppid;
    }
    return false;
  };
  for (const p of marked.values()) {
    if (listed.has(p.pid)) {
      if (opts.noneLeft) problems.push(`left running (listed as id ${p.pmId ?? '?'}): ${describeProc(p)}`);
      continue;
    }
    if (descendsFromListed(p)) {
      if (opts.noneLeft) problems.push(`left running (child of a listed process): ${describeProc(p)}`);
      continue;
    }
    const owner = list.find((e) => String(e.pm_id) === p.pmId && e.name === p.name);
    if (owner) {
      problems.push(
        `stray process of id ${owner.pm_id} (${owner.name}, ${owner.pm2_env.status}, listed pid ${owner.pid}): ${describeProc(p)}`,
      );
    } else {
      problems.push(`stray process, not in the table: ${describeProc(p)}`);
    }
  }
  return problems;
}

/** `steward jlist`, or undefined when it fails (a daemon on its way out, say). */
export async function tryJlist(home: Home): Promise<JlistEntry[] | undefined> {
  const r = await home.run(['jlist']);
  if (r.code !== 0) return undefined;
  try {
    return JSON.parse(r.stdout) as JlistEntry[];
  } catch {
    return undefined;
  }
}

/**
 * Waits (polling, up to `timeoutMs`) until the table agrees with reality (see tableProblems), and
 * returns the problems still there at the deadline (empty when it agreed). A process being killed
 * may take a moment to go: only what is still wrong at the deadline counts.
 */
export async function problemsAfter(
  home: Home,
  opts: { noneLeft?: boolean; timeoutMs?: number } = {},
): Promise<{ problems: string[]; list: JlistEntry[] }> {
  const deadline = Date.now() + (opts.timeoutMs ?? 5000);
  for (;;) {
    const list = await tryJlist(home);
    const problems = list ? tableProblems(home, list, opts) : ['`steward jlist` failed'];
    if (problems.length === 0 || Date.now() > deadline) return { problems, list: list ?? [] };
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Fails with every stray pid and its command line when the table does not agree with reality. */
export async function assertTableMatchesReality(
  home: Home,
  what: string,
  opts: { noneLeft?: boolean; timeoutMs?: number } = {},
): Promise<JlistEntry[]> {
  const { problems, list } = await problemsAfter(home, opts);
  if (problems.length > 0) throw new Error(invariantMessage(what, problems, list));
  return list;
}

export function invariantMessage(what: string, problems: string[], list: JlistEntry[]): string {
  return `${what}: the process table does not agree with the running processes:\n${problems
    .map((p) => `  - ${p}`)
    .join('\n')}\ntable:\n${tableSummary(list)}`;
}

/** Polls `jlist` until no instance is launching, stopping or waiting to restart. */
export async function waitSettled(home: Home, timeoutMs: number): Promise<JlistEntry[]> {
  let last: JlistEntry[] | undefined;
  try {
    return await waitFor(
      async () => {
        last = await tryJlist(home);
        return last?.every((e) => !TRANSITIONAL.has(e.pm2_env.status)) ? last : undefined;
      },
      'the table to settle',
      timeoutMs,
      100,
    );
  } catch (e) {
    throw new Error(
      `${e instanceof Error ? e.message : String(e)}; table:\n${last ? tableSummary(last) : '  (jlist failed)'}`,
    );
  }
}

export interface TimedResult extends RunResult {
  ms: number;
  timedOut: boolean;
}

/** `steward <args>` with a time limit: a command that hangs is killed and reported as such. */
export function runLimited(
  home: Home,
  args: string[],
  timeoutMs: number,
  env: NodeJS.ProcessEnv = {},
): Promise<TimedResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        cwd: ROOT,
        env: { ...home.env, ...env },
        maxBuffer: 16 * 1024 * 1024,
        timeout: timeoutMs,
        killSignal: 'SIGKILL',
      },
      (err, stdout, stderr) => {
        const timedOut = err !== null && (err as { killed?: boolean }).killed === true;
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr, ms: Date.now() - t0, timedOut });
      },
    );
  });
}

/**
 * What is wrong with the way a command failed, or undefined when it failed cleanly: a failing
 * command exits with one `[steward] error: …` line (reload and start failures may add their
 * `[steward] …` report and indented log lines before it), never an internal error or a stack.
 */
export function unclearFailure(r: TimedResult): string | undefined {
  if (r.timedOut) return `did not finish within ${r.ms}ms`;
  if (/internal error/i.test(r.stderr + r.stdout)) return 'internal error';
  if (r.code === 0) return undefined;
  const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
  const errors = lines.filter((l) => l.startsWith('[steward] error: '));
  if (errors.length !== 1) return `expected one "[steward] error: …" line, got ${errors.length}`;
  const odd = lines.find((l) => !l.startsWith('[steward] ') && !l.startsWith('  '));
  if (odd !== undefined) return `unexpected stderr line ${JSON.stringify(odd)}`;
  if (lines.some((l) => /^\s+at .*:\d+:\d+\)?$/.test(l))) return 'a stack trace';
  return undefined;
}

/** mulberry32: a tiny seeded PRNG, returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A TCP port that was free a moment ago (bound on port 0, then closed). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = a && typeof a === 'object' ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/**
 * The processes with this home's mark still running after `timeoutMs` (polling; empty as soon as
 * none is left), described with their command lines. Uses /proc only: no command that could
 * start a daemon (which would end the leftovers itself).
 */
export async function markedAfter(home: Home, timeoutMs: number): Promise<string[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = markedPids(home.dir);
    if (left.length === 0) return [];
    if (Date.now() > deadline) {
      return left.map((pid) => {
        const p = procInfo(pid);
        return p ? describeProc(p) : `pid ${pid}`;
      });
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
