// Benchmark 5: logging, Steward vs PM2 in one run (fork mode, one app). Three parts:
//
//  1. Throughput: an app (fixtures/log-writer.js) writes 200 000 lines of 100 bytes to stdout, one
//     write() per line, as fast as it can. Measured: wall time from the app's first write until
//     the log file holds every line, lines lost, and the daemon's CPU seconds (utime + stime from
//     /proc/<pid>/stat, read right before the app starts writing and when the file is complete).
//     With and without timestamps (`--time` for both). References, in the same rounds: the same
//     app with stdout redirected straight to a file by the harness, and piped into `cat > file`.
//  2. Memory: the daemon's VmRSS, sampled every 200 ms, while the app logs 1 GB (10 M lines of
//     100 bytes, 100 lines per write so that the app outruns the daemon), with and without a live
//     `logs <app> --raw --lines 0 > /dev/null` follower attached.
//  3. `logs <app> --lines 1000 --nostream` on the 1 GB file part 2 left (timed like `ls`).
//
// The app waits for a "go" file before its first write, so that start-up costs stay out of the
// numbers (see the handshake in fixtures/log-writer.js). Every run gets its own directory, deleted
// right after; part 2 checks the free disk space first and scales the 1 GB down if it must.
import { spawn } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  rmSync,
  statfsSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { FILL, LINE_BYTES, SEQ_DIGITS } from '../fixtures/log-line.js';
import { BenchError, run, sleep, waitFor } from '../lib/exec.js';
import { cpuSeconds, isAlive, RUN_MARK, rssMb, rssParts } from '../lib/procs.js';
import { median } from '../lib/stats.js';
import { rotate } from './fleet.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), '../fixtures/log-writer.js');
const APP = 'logbench';
export const THROUGHPUT_LINES = 200_000;
export const BIG_BYTES = 1_000_000_000;
/** Lines per write() in part 2: the app then writes ~1 GB/s into the pipe, faster than any reader. */
export const BIG_BATCH = 100;
export const TAIL_LINES = 1000;
const GB = 1024 ** 3;
/** Time given to a `logs` follower to start and subscribe before the app writes. */
const FOLLOWER_SETTLE_MS = 2000;
/** The log file stopped growing this long after the app's last write: lines were lost. */
const STALL_MS = 2000;
const RSS_EVERY_MS = 200;

const wallNow = () => performance.timeOrigin + performance.now();

function readStamp(file) {
  const st = {};
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return st;
  }
  for (const l of text.split('\n')) {
    const [k, v, w] = l.split(' ');
    if (k === 'ready' || k === 'start' || k === 'end') st[k] = Number(v);
    if (k === 'end') st.drainWaits = Number(w);
  }
  return st;
}

/** Bytes per line in `file` (100 + the timestamp prefix), from its first line. */
function lineBytesOf(file) {
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(512);
    const n = readSync(fd, buf, 0, buf.length, 0);
    const nl = buf.subarray(0, n).indexOf(0x0a);
    return nl < 0 ? undefined : nl + 1;
  } finally {
    closeSync(fd);
  }
}

/**
 * Every line of a throughput file checked: lines lost (sequence numbers never seen), duplicated,
 * mangled (not `<prefix><10 digits><filler>`), and how many carry a timestamp prefix.
 */
export function checkLines(file, total) {
  const buf = readFileSync(file);
  const seen = new Uint8Array(total);
  let lines = 0;
  let bad = 0;
  let dup = 0;
  let stamped = 0;
  const tailLen = SEQ_DIGITS + FILL.length;
  for (let start = 0; start < buf.length;) {
    let nl = buf.indexOf(0x0a, start);
    if (nl < 0) nl = buf.length;
    lines += 1;
    const len = nl - start;
    let ok = false;
    if (len >= tailLen && buf.latin1Slice(nl - FILL.length, nl) === FILL) {
      const digits = buf.latin1Slice(nl - tailLen, nl - FILL.length);
      const seq = /^\d+$/.test(digits) ? Number(digits) : NaN;
      if (seq < total) {
        ok = true;
        if (seen[seq]) dup += 1;
        seen[seq] = 1;
        if (len > tailLen) stamped += 1;
      }
    }
    if (!ok) bad += 1;
    start = nl + 1;
  }
  let found = 0;
  for (let i = 0; i < total; i += 1) found += seen[i];
  return { lines, lost: total - found, dup, bad, stamped, bytes: buf.length };
}

/** SIGKILLs a child the harness spawned and waits (≤ 5 s) for it to be gone. */
async function killWait(child, signal = 'SIGKILL') {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await Promise.race([exited, sleep(5000)]);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await Promise.race([exited, sleep(5000)]);
  }
}

const markedEnv = (ctx, extra) => ({ ...process.env, [RUN_MARK]: ctx.runId, ...extra });

/** The reference: the app's stdout is the log file itself (opened by the harness). */
const straightToFile = (ctx) => ({
  key: 'file',
  async launch(p, env) {
    const fd = openSync(p.out, 'w', 0o600);
    const app = spawn(process.execPath, [FIXTURE], {
      env: markedEnv(ctx, env),
      stdio: ['ignore', fd, 'ignore'],
    });
    closeSync(fd);
    return { cpuPid: undefined, stop: () => killWait(app) };
  },
});

/** The reference: `app | cat > file`, the cheapest possible pipe reader (cat's CPU is reported). */
const pipeToCat = (ctx) => ({
  key: 'cat',
  async launch(p, env) {
    const fd = openSync(p.out, 'w', 0o600);
    const cat = spawn('cat', [], { env: markedEnv(ctx, {}), stdio: ['pipe', fd, 'ignore'] });
    closeSync(fd);
    const app = spawn(process.execPath, [FIXTURE], {
      env: markedEnv(ctx, env),
      stdio: ['ignore', cat.stdin, 'ignore'],
    });
    // Only the app holds the pipe's write end now: cat ends when the app does.
    cat.stdin.destroy();
    return {
      cpuPid: cat.pid,
      stop: async () => {
        await killWait(app);
        await killWait(cat);
      },
    };
  },
});

/** The app under a process manager: `start <fixture> --name logbench -o <out> -e <err> [--time]`. */
const managed = (tool, time) => ({
  key: `${tool.key}${time ? '-time' : ''}`,
  tool,
  async launch(p, env) {
    const args = ['start', FIXTURE, '--name', APP, '-o', p.out, '-e', p.err];
    if (time) args.push('--time');
    // Steward rotates at 100 MB by default; PM2 never rotates without pm2-logrotate.
    if (tool.key === 'steward') args.push('--log-max-size', '2G');
    await tool.cli([...args, '-s'], { env: { ...env, STEWARD_START_SETTLE_MS: '0' }, timeoutMs: 60_000 });
    const pid = tool.daemonPid();
    if (pid === undefined) throw new BenchError(`${tool.key}: no daemon pid in ${tool.pidFile}`);
    return {
      cpuPid: pid,
      rssPid: pid,
      stop: () => tool.cli(['delete', APP, '-s'], { timeoutMs: 60_000 }),
    };
  },
});

/**
 * Waits until the log file holds `expectBytes(lineBytes)` bytes, or — when lines were lost — until
 * the app is done and the file has not grown for STALL_MS. `lastGrowth` is the wall-clock time at
 * which the file was first seen at its final size (polled every `pollMs`).
 */
async function waitDrained(p, lines, { pollMs, capMs, throwOnCap, who }) {
  const t0 = performance.now();
  let size = 0;
  let lastGrowth = wallNow();
  let expected;
  for (;;) {
    let s = 0;
    try {
      s = statSync(p.out).size;
    } catch {
      // not created yet
    }
    if (s > size) {
      size = s;
      lastGrowth = wallNow();
      if (expected === undefined) {
        const lb = lineBytesOf(p.out);
        if (lb !== undefined) expected = lines * lb;
      }
    }
    if (expected !== undefined && size >= expected) return { size, lastGrowth, complete: true };
    if (wallNow() - lastGrowth > STALL_MS && readStamp(p.stamp).end !== undefined)
      return { size, lastGrowth, complete: false };
    if (performance.now() - t0 > capMs) {
      if (throwOnCap) throw new BenchError(`${who}: log file not complete after ${capMs} ms`);
      return { size, lastGrowth, complete: false, capped: true };
    }
    await sleep(pollMs);
  }
}

/** `steward logs logbench --lines 0 --raw` / `pm2 logs logbench --raw --lines 0`, stdout to /dev/null. */
async function startFollower(tool) {
  const devnull = openSync('/dev/null', 'w');
  const args =
    tool.key === 'steward' ? ['logs', APP, '--lines', '0', '--raw'] : ['logs', APP, '--raw', '--lines', '0'];
  const child = spawn(process.execPath, [tool.bin, ...args], {
    env: tool.env,
    cwd: tool.cwd,
    stdio: ['ignore', devnull, 'pipe'],
  });
  closeSync(devnull);
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    if (stderr.length < 1024 * 1024) stderr += d;
  });
  await sleep(FOLLOWER_SETTLE_MS);
  if (child.exitCode !== null || child.signalCode !== null)
    throw new BenchError(
      `${tool.key} logs follower exited early (${child.exitCode ?? child.signalCode})`,
      stderr,
    );
  return {
    pid: child.pid,
    stderr: () => stderr,
    alive: () => child.exitCode === null && child.signalCode === null,
    stop: () => killWait(child, 'SIGINT'),
  };
}

/** "[steward] N output chunks skipped …" lines of a Steward follower, summed. */
const skippedChunks = (stderr) =>
  [...stderr.matchAll(/\[steward\] (\d+) output chunks skipped/g)].reduce((n, m) => n + Number(m[1]), 0);

/**
 * One measured run: launch, wait for "ready", (attach a follower), read CPU, go, wait until the
 * file is complete, read CPU (and RSS). Unless `keep`, the app is deleted and its directory removed.
 * Returns { res, stop } where stop() ends the app and removes its files (for `keep`).
 */
async function measure(subject, ctx, opts) {
  const { lines, batch = 1, pollMs = 2, capMs = 60_000, throwOnCap = true } = opts;
  const { rss = false, follow = false, keep = false } = opts;
  const dir = join(
    ctx.logsDir,
    `${String((ctx.logsRun = (ctx.logsRun ?? 0) + 1)).padStart(3, '0')}-${subject.key}`,
  );
  mkdirSync(dir, { recursive: true });
  const p = {
    dir,
    out: join(dir, 'out.log'),
    err: join(dir, 'err.log'),
    stamp: join(dir, 'stamp'),
    go: join(dir, 'go'),
  };
  const env = {
    BENCH_LOG_STAMP: p.stamp,
    BENCH_LOG_GO: p.go,
    BENCH_LOG_LINES: String(lines),
    BENCH_LOG_BATCH: String(batch),
  };
  let handle;
  let follower;
  let sampler;
  const stop = async () => {
    sampler?.stop();
    await follower?.stop();
    if (handle) await handle.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    handle = await subject.launch(p, env);
    await waitFor(() => readStamp(p.stamp).ready, {
      what: `${subject.key}: log app ready`,
      timeoutMs: 30_000,
      intervalMs: 20,
    });
    if (follow) follower = await startFollower(subject.tool);
    const samples = { at: [], parts: [], follower: [] };
    if (rss) {
      const timer = setInterval(() => {
        const parts = rssParts(handle.rssPid);
        if (parts && Number.isFinite(parts.total)) {
          samples.parts.push(parts);
          samples.at.push(performance.now());
        }
        if (follower) {
          const f = rssMb(follower.pid);
          if (Number.isFinite(f)) samples.follower.push(f);
        }
      }, RSS_EVERY_MS);
      sampler = { stop: () => clearInterval(timer) };
    }
    const partsStart = rss ? rssParts(handle.rssPid) : undefined;
    const cpu0 = handle.cpuPid ? cpuSeconds(handle.cpuPid) : NaN;
    const fcpu0 = follower ? cpuSeconds(follower.pid) : NaN;
    const goAt = performance.now();
    writeFileSync(p.go, '');
    const d = await waitDrained(p, lines, { pollMs, capMs, throwOnCap, who: subject.key });
    const cpu = handle.cpuPid ? cpuSeconds(handle.cpuPid) - cpu0 : NaN;
    const followerCpu = follower ? cpuSeconds(follower.pid) - fcpu0 : NaN;
    // The file can be complete a moment before the app's last write callback has run.
    if (!d.capped) {
      await waitFor(() => readStamp(p.stamp).end !== undefined, {
        what: `${subject.key}: the app's "end" note`,
        timeoutMs: 3000,
        intervalMs: 5,
      }).catch(() => undefined);
    }
    const st = readStamp(p.stamp);
    if (st.start === undefined) throw new BenchError(`${subject.key}: the app never logged its start`);
    const res = {
      drainMs: d.lastGrowth - st.start,
      appMs: st.end !== undefined ? st.end - st.start : NaN,
      drainWaits: st.drainWaits,
      cpu,
      complete: d.complete,
      capped: d.capped ?? false,
      bytes: d.size,
    };
    if (rss) {
      await sleep(1000);
      sampler.stop();
      const partsEnd = rssParts(handle.rssPid);
      // Start, max and end of VmRSS and of each of its parts (anonymous, file-backed).
      const part = (k) => {
        const all = [partsStart, ...samples.parts, partsEnd].filter(Boolean).map((x) => x[k]);
        return { start: partsStart?.[k] ?? NaN, max: Math.max(...all), end: partsEnd?.[k] ?? NaN };
      };
      const total = part('total');
      const daemon = samples.parts.map((x) => x.total);
      // The reference for "stays flat": the first sample from 1 s after the go signal on, once the
      // daemon has grown back to its working size. Read when the daemon has been idle for a while
      // (before the follower run, ~35 s of tail timings), the start is lower: V8 and malloc give
      // memory back when idle (session 5: anonymous RSS 13.8 MB idle, 18.2 MB at most in the run
      // without a follower, 19.5 MB with one; file-backed flat at 42.2 MB in both).
      const i1 = samples.at.findIndex((t) => t - goAt >= 1000);
      const after = i1 >= 0 ? daemon.slice(i1) : [];
      res.rss = {
        ...total,
        at1s: after[0] ?? NaN,
        maxAfter1s: after.length > 0 ? Math.max(total.end, ...after) : NaN,
        anon: part('anon'),
        file: part('file'),
        samples: daemon.map((v) => Math.round(v * 10) / 10),
      };
      if (follower) {
        res.follower = {
          alive: follower.alive(),
          cpu: followerCpu,
          maxRss: Math.max(...samples.follower),
          skipped: skippedChunks(follower.stderr()),
          stderr: follower.stderr().slice(0, 400),
        };
      }
    }
    if (!keep) await stop();
    return { res, stop, p };
  } catch (e) {
    await stop().catch(() => undefined);
    throw e;
  }
}

/** Steward counts what it dropped ("log bytes dropped" in `show`): read it when lines are missing. */
async function stewardDropped(tool) {
  try {
    const list = await tool.jlist(30_000);
    return list.find((x) => x.name === APP)?.pm2_env?.log_dropped_bytes;
  } catch {
    return undefined;
  }
}

/** Part 1: rounds over the six subjects, rotating who goes first. */
async function throughput(tools, ctx, L) {
  const subjects = [
    straightToFile(ctx),
    pipeToCat(ctx),
    ...tools.map((t) => managed(t, false)),
    ...tools.map((t) => managed(t, true)),
  ];
  for (const s of subjects) L.throughput[s.key] = [];
  const { warm, n } = ctx.runs.logs.throughput;
  for (let r = 0; r < warm + n; r += 1) {
    for (const s of rotate(subjects, r)) {
      // The file is checked before the app is deleted: keep, check, then stop.
      const { res, stop, p } = await measure(s, ctx, { lines: THROUGHPUT_LINES, keep: true });
      try {
        Object.assign(res, checkLines(p.out, THROUGHPUT_LINES));
        if (res.lost > 0 && s.tool?.key === 'steward') res.droppedBytes = await stewardDropped(s.tool);
      } finally {
        await stop();
      }
      const tag = r < warm ? ' (warm-up, not kept)' : '';
      ctx.log(
        `logs ${s.key}: ${THROUGHPUT_LINES} lines drained in ${res.drainMs.toFixed(0)} ms (app wrote for ${res.appMs.toFixed(0)} ms), lost ${res.lost}, bad ${res.bad}, reader CPU ${Number.isFinite(res.cpu) ? `${res.cpu.toFixed(2)} s` : 'n/a'}${tag}`,
      );
      if (r >= warm) L.throughput[s.key].push(res);
    }
  }
}

function freeBytes(dir) {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

/** Part 2 size: 1 GB unless the disk cannot hold two such files (both tools' at once) plus 1 GB. */
function bigSize(ctx, L) {
  const want = ctx.runs.logs.bigBytes;
  const free = freeBytes(ctx.logsDir);
  L.diskFreeGb = free / GB;
  if (free >= 2 * want + GB) return want;
  const fit = Math.floor((free - GB) / 2 / 1e8) * 1e8;
  if (fit < 1e8) {
    L.notes.push(`Only ${(free / GB).toFixed(1)} GB free on the temp disk: the 1 GB runs were skipped.`);
    return 0;
  }
  L.notes.push(
    `Only ${(free / GB).toFixed(1)} GB free on the temp disk: the "1 GB" runs wrote ${(fit / 1e6).toFixed(0)} MB instead.`,
  );
  return fit;
}

/**
 * Part 3: `logs logbench --lines 1000 --nostream`, both tools and `node -e 0`, rotating.
 *
 * When NODE_EXTRA_CA_CERTS is set (this sandbox sets it for every process), Node reads and parses
 * that certificate bundle at every start, before any of our code runs: measured here, `node -e 0`
 * took 80 ms with it and 30 ms without (fastest of 20). So every subject runs twice, with the
 * environment as given and without that variable (`-noca` keys), and the report shows both.
 */
async function tails(tools, ctx, L, lastSeq) {
  const want = String(lastSeq).padStart(SEQ_DIGITS, '0');
  const variants = [{ suffix: '', env: undefined }];
  if (process.env.NODE_EXTRA_CA_CERTS)
    variants.push({ suffix: '-noca', env: { NODE_EXTRA_CA_CERTS: undefined } });
  const subjects = variants.flatMap(({ suffix, env }) => [
    {
      key: `node${suffix}`,
      fn: async () =>
        (await run(process.execPath, ['-e', '0'], { timeoutMs: 30_000, env: { ...process.env, ...env } })).ms,
    },
    ...tools.map((t) => ({
      key: `${t.key}${suffix}`,
      fn: async () => {
        const r = await t.cli(['logs', APP, '--lines', String(TAIL_LINES), '--nostream'], {
          timeoutMs: 60_000,
          env,
        });
        const got = r.stdout.split('\n').filter((l) => l.includes(FILL)).length;
        if (got < TAIL_LINES || !r.stdout.includes(want))
          throw new BenchError(
            `${t.key} logs --lines ${TAIL_LINES} --nostream printed ${got} log lines (last line ${r.stdout.includes(want) ? '' : 'not '}among them)`,
            r.stdout.slice(-500),
          );
        return r.ms;
      },
    })),
  ]);
  for (const s of subjects) L.tail[s.key] = [];
  const { warm, n } = ctx.runs.logs.tail;
  for (let i = 0; i < warm + n; i += 1) {
    for (const s of rotate(subjects, i)) {
      const ms = await s.fn();
      if (i >= warm) L.tail[s.key].push(ms);
      await sleep(100);
    }
  }
  for (const s of subjects)
    ctx.log(
      `logs --lines ${TAIL_LINES} --nostream (${s.key}): median ${median(L.tail[s.key]).toFixed(1)} ms`,
    );
}

/** One 1 GB run of `subject` (a tool, or the `| cat` reference when `tool` is undefined). */
async function bigRun(tool, ctx, L, bytes, follow, keep) {
  const lines = Math.floor(bytes / LINE_BYTES);
  const capMs = ctx.runs.logs.bigCapMs;
  const subject = tool ? managed(tool, false) : pipeToCat(ctx);
  const out = await measure(subject, ctx, {
    lines,
    batch: BIG_BATCH,
    pollMs: 10,
    capMs,
    throwOnCap: false,
    rss: tool !== undefined,
    follow,
    keep,
  });
  const { res } = out;
  res.lines = lines;
  res.arrived = Math.floor(res.bytes / LINE_BYTES);
  // Still arriving when the time cap hit is not lost: unknown.
  res.lost = res.capped ? NaN : lines - res.arrived;
  if (res.lost > 0 && tool?.key === 'steward') res.droppedBytes = await stewardDropped(tool);
  const key = tool?.key ?? 'cat';
  (L.big[key] ??= {})[follow ? 'follow' : 'plain'] = res;
  const r = res.rss;
  ctx.log(
    `logs ${key}: ${(bytes / 1e9).toFixed(1)} GB${follow ? ' with a follower' : ''}: ${res.capped ? `NOT complete after ${capMs / 1000} s (${res.arrived} lines arrived), ` : ''}drained in ${(res.drainMs / 1000).toFixed(1)} s (app waited for 'drain' ${res.drainWaits} times), lost ${res.lost} lines, reader CPU ${res.cpu.toFixed(1)} s${r ? `, RSS ${r.start.toFixed(1)} → max ${r.max.toFixed(1)} → ${r.end.toFixed(1)} MB (anonymous ${r.anon.start.toFixed(1)} → ${r.anon.max.toFixed(1)}, file-backed ${r.file.start.toFixed(1)} → ${r.file.max.toFixed(1)})` : ''}${res.follower ? `, follower max RSS ${res.follower.maxRss.toFixed(1)} MB, CPU ${res.follower.cpu.toFixed(1)} s, skipped chunks ${res.follower.skipped}` : ''}`,
  );
  return out;
}

export async function logs(tools, ctx) {
  const L = (ctx.result('logs').data = {
    throughput: {},
    big: Object.fromEntries(tools.map((t) => [t.key, {}])),
    tail: {},
    notes: [],
    lines: THROUGHPUT_LINES,
    runs: ctx.runs.logs,
  });
  ctx.logsDir = join(ctx.tmp, 'logs');
  mkdirSync(ctx.logsDir, { recursive: true });
  const t0 = performance.now();
  try {
    await throughput(tools, ctx, L);
    ctx.log(`logs: throughput part took ${((performance.now() - t0) / 1000).toFixed(0)} s`);

    const bytes = bigSize(ctx, L);
    L.bigBytes = bytes;
    if (bytes === 0) return;
    // The reference: the same 1 GB through `| cat > file`.
    await bigRun(undefined, ctx, L, bytes, false, false);
    // 1 GB without a follower, both tools; the files stay for the `logs --nostream` timings.
    const kept = [];
    try {
      for (const t of tools) kept.push(await bigRun(t, ctx, L, bytes, false, true));
      const lastSeq = Math.floor(bytes / LINE_BYTES) - 1;
      for (const k of kept) {
        const sz = statSync(k.p.out).size;
        if (sz !== bytes)
          L.notes.push(`The tail timings ran on a ${(sz / 1e6).toFixed(0)} MB file (not all lines arrived).`);
      }
      await tails(tools, ctx, L, lastSeq);
    } finally {
      for (const k of kept) await k.stop();
    }
    // 1 GB with a follower attached, the other tool first.
    for (const t of [...tools].reverse()) await bigRun(t, ctx, L, bytes, true, false);
  } finally {
    L.elapsedMs = performance.now() - t0;
    rmSync(ctx.logsDir, { recursive: true, force: true });
    for (const t of tools) {
      const pid = t.daemonPid();
      if (pid !== undefined && !isAlive(pid)) L.notes.push(`The ${t.key} daemon died during the logs case.`);
    }
  }
}
