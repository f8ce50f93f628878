import { execFile, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  unlinkSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root (tests run from dist/test/…). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BIN = join(ROOT, 'bin/steward.js');
export const FIXTURES = join(ROOT, 'test/fixtures');
export const APPS = join(FIXTURES, 'apps');

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A private STEWARD_HOME for one test, with the steward CLI bound to it. */
export class Home {
  readonly dir: string;
  constructor() {
    // Short path: unix socket paths are limited to 107 bytes.
    this.dir = mkdtempSync(join(tmpdir(), 'stw-'));
  }

  get env(): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { ...process.env, STEWARD_HOME: this.dir, NO_COLOR: '1' };
    delete env.STEWARD_SUPERVISOR;
    return env;
  }

  run(
    args: string[],
    opts: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
  ): Promise<RunResult> {
    return new Promise((resolvePromise) => {
      const child = execFile(
        process.execPath,
        [BIN, ...args],
        { cwd: opts.cwd ?? ROOT, env: { ...this.env, ...opts.env }, maxBuffer: 64 * 1024 * 1024 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
          resolvePromise({ code, stdout, stderr });
        },
      );
      if (opts.input !== undefined) child.stdin?.end(opts.input);
    });
  }

  /** Runs and fails the test when the exit code is not 0. */
  async ok(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
    const r = await this.run(args, opts);
    if (r.code !== 0) throw new Error(`steward ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r;
  }

  /** `jlist --steward`: PM2's shape plus Steward's details in `steward`. */
  async jlist(): Promise<JlistEntry[]> {
    const r = await this.ok(['jlist', '--steward']);
    return JSON.parse(r.stdout) as JlistEntry[];
  }

  daemonPid(): number | undefined {
    try {
      return Number(readFileSync(join(this.dir, 'daemon.pid'), 'utf8').trim());
    } catch {
      return undefined;
    }
  }

  /**
   * Stops everything with `steward kill`, then fails the test if any process of this home — a
   * daemon, or anything carrying the home's supervisor mark — is still alive once exits have had
   * time to land. The leaked processes are SIGKILLed first so that one leak does not spill into
   * the next test.
   */
  async cleanup(): Promise<void> {
    const kill = existsSync(join(this.dir, 'daemon.sock')) ? await this.run(['kill']) : undefined;
    const leaked = await leftovers(this.dir);
    for (const p of leaked) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
    if (leaked.length > 0) {
      throw new Error(
        `${leaked.length} process(es) of ${this.dir} outlived \`steward kill\` (now SIGKILLed):\n` +
          leaked.map((p) => `  ${p.pid}: ${p.cmdline}`).join('\n') +
          (kill && kill.code !== 0 ? `\n(steward kill exited ${kill.code}: ${kill.stderr.trim()})` : ''),
      );
    }
  }
}

/** How long the processes of a home may take to exit after `steward kill` returned. */
const LEFTOVER_GRACE_MS = 3000;

/** The processes of a home still alive after the grace period, with their command lines. */
async function leftovers(home: string): Promise<Array<{ pid: number; cmdline: string }>> {
  const pids = () => [...new Set([...daemonPids(home), ...markedPids(home)])];
  try {
    await waitFor(() => pids().length === 0, 'the processes of the home to exit', LEFTOVER_GRACE_MS);
    return [];
  } catch {
    return pids().map((pid) => ({ pid, cmdline: cmdlineOf(pid) }));
  }
}

function cmdlineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'latin1').replace(/\0/g, ' ').trim();
  } catch {
    return '(gone)';
  }
}

export interface JlistEntry {
  pid: number;
  name: string;
  pm_id: number;
  monit: { memory: number; cpu: number };
  pm2_env: Record<string, unknown> & { status: string; restart_time: number; env: Record<string, string> };
  /** Steward's details (`jlist --steward`). */
  steward: Record<string, unknown>;
}

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Pids of processes whose environment carries this home's supervisor mark. */
export function markedPids(home: string): number[] {
  const mark = `STEWARD_SUPERVISOR=${home}`;
  const out: number[] = [];
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const env = readFileSync(`/proc/${n}/environ`, 'latin1').split('\0');
      if (env.includes(mark)) {
        const stat = readFileSync(`/proc/${n}/stat`, 'latin1');
        if (stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z') out.push(Number(n));
      }
    } catch {
      // gone
    }
  }
  return out;
}

/**
 * Pids of the daemons of this home (losers of a start race and orphans included): processes
 * running dist/daemon.js (or the boot service, dist/src/startup/service.js) with
 * `STEWARD_HOME=<home>` in their environment. Found in /proc rather than read from daemon.pid,
 * which names at most one of them and may hold a recycled pid.
 */
export function daemonPids(home: string): number[] {
  const entry = `STEWARD_HOME=${home}`;
  const out: number[] = [];
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const cmdline = readFileSync(`/proc/${n}/cmdline`, 'latin1');
      // dist/daemon.js, or the boot service that runs the daemon in its own process
      if (!/\/dist\/(daemon|src\/startup\/service)\.js\0/.test(cmdline)) continue;
      if (!readFileSync(`/proc/${n}/environ`, 'latin1').split('\0').includes(entry)) continue;
      if (!zombie(Number(n))) out.push(Number(n));
    } catch {
      // gone
    }
  }
  return out;
}

function zombie(pid: number): boolean {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
}

/** Polls `fn` until it returns a truthy value or the deadline passes. */
export async function waitFor<T>(
  fn: () => T | Promise<T>,
  what: string,
  timeoutMs = 10_000,
  everyMs = 25,
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e instanceof Error ? e.message : String(e);
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs}ms waiting for ${what}${last ? `: ${last}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** A JSON file's content, or undefined while it is missing or half written. */
export function readJson(path: string): Record<string, unknown> | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

const made: string[] = [];
/** A fresh temporary directory, removed when the test file's process exits. */
export function tmpDir(prefix = 'stwt-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  if (made.length === 0)
    process.once('exit', () => {
      for (const d of made) {
        try {
          rmSync(d, { recursive: true, force: true });
        } catch {
          // a daemon still writing there: left for the OS to clean
        }
      }
    });
  made.push(dir);
  return dir;
}

export { spawn };

/**
 * A directory laid out as a user's app with Steward installed: `node_modules/steward` links to this
 * repository, so `steward/agent` resolves through package.json `exports` as it does from npm. The
 * fixtures (from test/fixtures/apps) are copied in; `remove()` unlinks the link before deleting.
 */
export function appWithSteward(fixtures: string[]): { dir: string; remove(): void } {
  const dir = tmpDir('stwa-');
  mkdirSync(join(dir, 'node_modules'));
  const link = join(dir, 'node_modules/steward');
  symlinkSync(ROOT, link, 'dir');
  for (const f of fixtures) copyFileSync(join(APPS, f), join(dir, f));
  return {
    dir,
    remove: () => {
      unlinkSync(link);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
