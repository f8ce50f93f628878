// Running commands with a deadline, timing them, and waiting for conditions with a deadline.
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';

/** A failure of the benchmark harness (not of a measurement): one clear line, no stack. */
export class BenchError extends Error {
  constructor(message, details) {
    super(message);
    this.name = 'BenchError';
    this.details = details;
  }
}

const MAX_CAPTURE = 64 * 1024 * 1024;

function quote(a) {
  return /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`;
}

export function cmdline(file, args) {
  const short = args.length > 12 ? [...args.slice(0, 10), `… (${args.length - 10} more)`] : args;
  return [file, ...short].map(quote).join(' ');
}

function tail(s, lines = 8) {
  return s.trim().split('\n').slice(-lines).join('\n');
}

/**
 * Runs `file args` and resolves with { code, signal, stdout, stderr, ms }; `ms` is the wall time
 * from spawn() to 'close' (all output drained). Rejects on timeout (the child is SIGKILLed) and,
 * unless `allowFail`, on a non-zero exit.
 */
export function run(
  file,
  args,
  { env = process.env, cwd, timeoutMs = 60_000, allowFail = false, label } = {},
) {
  const what = label ?? cmdline(file, args);
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    let done = false;
    const t0 = performance.now();
    const child = spawn(file, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      if (stdout.length < MAX_CAPTURE) stdout += d;
    });
    child.stderr.on('data', (d) => {
      if (stderr.length < MAX_CAPTURE) stderr += d;
    });
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      child.kill('SIGKILL');
      reject(
        new BenchError(
          `timed out after ${timeoutMs} ms: ${what}`,
          tail(stderr) || tail(stdout) || '(no output)',
        ),
      );
    }, timeoutMs);
    child.once('error', (e) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new BenchError(`cannot run ${what}: ${e.message}`));
    });
    child.once('close', (code, signal) => {
      const ms = performance.now() - t0;
      if (done) return;
      done = true;
      clearTimeout(timer);
      if (!allowFail && code !== 0) {
        reject(
          new BenchError(
            `command failed (exit ${code ?? signal}): ${what}`,
            tail(stderr) || tail(stdout) || '(no output)',
          ),
        );
        return;
      }
      resolve({ code, signal, stdout, stderr, ms });
    });
  });
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Polls `check` (sync or async; truthy = done) every `intervalMs` until it holds or `timeoutMs`
 * passes; then rejects with "timed out waiting for <what>" and the last state `describe()` gives.
 */
export async function waitFor(check, { what, timeoutMs = 30_000, intervalMs = 50, describe } = {}) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (performance.now() > deadline) {
      const state = describe ? ` (last state: ${await describe()})` : '';
      throw new BenchError(`timed out after ${timeoutMs} ms waiting for ${what}${state}`);
    }
    await sleep(intervalMs);
  }
}

/**
 * Runs `cmd ...versionArgs`; when that fails and we are root, installs Debian's `pkg` with apt-get
 * (after `apt-get update` if the first try fails) and asks again. Resolves with the command's
 * version output, or undefined when it is still missing. `ok` tells whether an answer counts (by
 * default exit code 0; `wrk -v` prints its version and exits 1).
 */
export async function ensureAptCommand(
  cmd,
  versionArgs,
  pkg,
  log,
  { installTimeoutMs = 300_000, ok = (r) => r.code === 0 } = {},
) {
  const have = async () => {
    const r = await run(cmd, versionArgs, { allowFail: true, timeoutMs: 10_000 }).catch(() => undefined);
    return r && ok(r) ? `${r.stdout}${r.stderr}`.trim() : undefined;
  };
  const v = await have();
  if (v !== undefined || process.getuid?.() !== 0) return v;
  log(`${cmd} is missing: apt-get install -y ${pkg}`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const apt = (args, timeoutMs) =>
    run('apt-get', args, { env, timeoutMs, allowFail: true }).catch(() => ({ code: -1 }));
  if ((await apt(['install', '-y', pkg], installTimeoutMs)).code !== 0) {
    await apt(['update'], 300_000);
    await apt(['install', '-y', pkg], installTimeoutMs);
  }
  return have();
}
