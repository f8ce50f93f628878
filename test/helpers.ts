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

  /** Stops everything: `steward kill`, then SIGKILL of anything left with this home's mark. */
  async cleanup(): Promise<void> {
    if (existsSync(join(this.dir, 'daemon.sock'))) await this.run(['kill']);
    const pid = this.daemonPid();
    if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
    for (const p of markedPids(this.dir)) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(this.dir, { recursive: true, force: true });
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
