// Benchmark 7: keeping apps healthy, Steward vs PM2. Two parts:
//
//  1. Memory limit: an app leaking 50 MB/s (fixtures/leak.js) under `max_memory_restart: 200M`
//     (same ecosystem file for both tools). The app appends its own RSS to a file every 100 ms;
//     the harness reads the highest RSS each process reached before it was replaced. Steward: a few
//     cycles; PM2 (which checks every 30 s): until its first restart or a cap (35 s by default).
//  2. Watch: an idle app (fixtures/idle.js) whose cwd is a tree of 20 000 files (20 dirs × 1000),
//     started without and then with `watch: true`. After the daemon has gone quiet (the initial
//     scan done, and its garbage collected), its CPU (utime + stime from /proc/<pid>/stat) over a 30 s window and its VmRSS
//     (median of 1 s reads over the window). Extra = with watch − without. Both tools without
//     watch at once, then PM2 with watch, then Steward with watch.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { freemem, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { BenchError, sleep, waitFor } from '../lib/exec.js';
import { cpuSeconds, isAlive, rssMb } from '../lib/procs.js';
import { median } from '../lib/stats.js';

const here = dirname(fileURLToPath(import.meta.url));
const LEAK = join(here, '../fixtures/leak.js');
const IDLE = join(here, '../fixtures/idle.js');
export const LIMIT_MB = 200;
export const LEAK_MB_S = 50;
export const TREE = { dirs: 20, files: 1000 };
const QUIET_S = 3;
/** With watch on: how long to wait (from `start`) for the collection of the scan's garbage. */
const GC_WAIT_S = 45;
/** That collection is seen as VmRSS falling this far below its peak. */
const GC_DROP = 0.8;

/** "<t> <pid> <rss>" lines → per pid (in order of appearance): samples, max RSS, first/last time. */
export function parseRss(file) {
  const by = new Map();
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  for (const l of text.split('\n')) {
    const [t, pid, rss] = l.split(' ').map(Number);
    if (!Number.isFinite(rss)) continue;
    let p = by.get(pid);
    if (!p) by.set(pid, (p = { pid, first: t, last: t, max: 0, n: 0, overAt: undefined }));
    p.last = t;
    p.n += 1;
    if (rss > p.max) p.max = rss;
    if (p.overAt === undefined && rss > LIMIT_MB) p.overAt = t;
  }
  return [...by.values()];
}

async function leakRun(tool, ctx, H, { cycles, capS }) {
  const file = join(ctx.tmp, `leak-${tool.key}.txt`);
  writeFileSync(file, '');
  // Room for the leak: 50 MB/s for capS seconds, plus 1 GB to spare.
  const freeMb = freemem() / 1024 ** 2;
  let cap = capS;
  if (freeMb - 1024 < cap * LEAK_MB_S) {
    cap = Math.max(5, Math.floor((freeMb - 1024) / LEAK_MB_S));
    H.notes.push(
      `${tool.key}: only ${(freeMb / 1024).toFixed(1)} GB free, the leak run was capped at ${cap} s.`,
    );
  }
  const eco = tool.writeEcosystem([
    {
      name: 'leak',
      script: LEAK,
      max_memory_restart: `${LIMIT_MB}M`,
      env: { BENCH_RSS_FILE: file, BENCH_LEAK_MB_S: String(LEAK_MB_S) },
    },
  ]);
  const t0 = performance.now();
  await tool.cli(['start', eco, '-s'], { timeoutMs: 60_000 });
  let procs = [];
  try {
    // Until `cycles` restarts happened, or the current process has lived `cap` seconds.
    await waitFor(
      () => {
        procs = parseRss(file);
        if (procs.length > cycles) return true;
        const cur = procs[procs.length - 1];
        return cur !== undefined && Date.now() - cur.first > cap * 1000;
      },
      {
        what: `${tool.key}: leak app restarted ${cycles} time(s) or ${cap} s without restart`,
        timeoutMs: (cycles + 1) * (cap + 10) * 1000,
        intervalMs: 100,
        describe: () => `${procs.length} process(es) seen in ${file}`,
      },
    );
  } finally {
    await tool.cli(['delete', 'leak', '-s'], { timeoutMs: 60_000, allowFail: true });
  }
  procs = parseRss(file);
  const restarted = procs.slice(0, -1);
  const lastP = procs[procs.length - 1];
  const r = {
    capS: cap,
    elapsedMs: performance.now() - t0,
    // Processes that were replaced (the last one was deleted by the harness).
    cycles: restarted.map((p) => ({
      max: p.max,
      lifeMs: p.last - p.first,
      overMs: p.overAt === undefined ? 0 : p.last - p.overAt,
    })),
    notRestarted:
      procs.length <= 1
        ? { max: lastP?.max ?? NaN, lifeMs: lastP ? lastP.last - lastP.first : NaN }
        : undefined,
  };
  ctx.log(
    `health leak ${tool.key}: ${
      r.cycles.length > 0
        ? `${r.cycles.length} restart(s), highest RSS before each: ${r.cycles.map((c) => `${c.max.toFixed(0)} MB after ${(c.lifeMs / 1000).toFixed(1)} s`).join(', ')}`
        : `not restarted within ${cap} s, RSS reached ${r.notRestarted.max.toFixed(0)} MB`
    }`,
  );
  return r;
}

/** A tree of dirs × files small files, plus the app as app.js at its root. */
function makeTree(root) {
  mkdirSync(root, { recursive: true });
  for (let d = 0; d < TREE.dirs; d += 1) {
    const dir = join(root, `d${String(d).padStart(2, '0')}`);
    mkdirSync(dir);
    for (let f = 0; f < TREE.files; f += 1)
      writeFileSync(join(dir, `f${String(f).padStart(4, '0')}.txt`), `${f}\n`);
  }
  copyFileSync(IDLE, join(root, 'app.js'));
}

/** inotify watches held by a process (lines "inotify wd:" in its fdinfo). */
export function inotifyWatches(pid) {
  let n = 0;
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      let target = '';
      try {
        target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      } catch {
        continue;
      }
      if (!target.includes('inotify')) continue;
      try {
        n += (readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'latin1').match(/^inotify wd:/gm) ?? []).length;
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return NaN;
  }
  return n;
}

/** One idle measurement: start the app (watch on/off), wait for quiet, then the window. */
async function idleRun(tool, ctx, root, watch) {
  const { windowS } = ctx.runs.health;
  await tool.ping();
  const pid = tool.daemonPid();
  if (pid === undefined) throw new BenchError(`${tool.key}: no daemon pid in ${tool.pidFile}`);
  const eco = tool.writeEcosystem([{ name: 'idle', script: join(root, 'app.js'), cwd: root, watch }]);
  const c0 = cpuSeconds(pid);
  const rss0 = rssMb(pid);
  const t0 = performance.now();
  await tool.cli(['start', eco, '-s'], { timeoutMs: 120_000 });
  await tool.waitOnline(1, 60_000);
  // Settled: QUIET_S one-second windows in a row with at most one clock tick (10 ms) of daemon CPU;
  // with watch on, also after the one-time collection of the initial scan's garbage, seen as VmRSS
  // falling to GC_DROP of its peak (V8 runs it some 10–40 s after the scan, when it sees the
  // process idle) — or GC_WAIT_S after `start`, whichever comes first. Otherwise that collection
  // (~0.4 s CPU) could fall in the window or not, and the RSS be read before or after it.
  let quiet = 0;
  let scanDoneAt;
  let scanCpu;
  let peakRss = rssMb(pid);
  let gcAt;
  const settledNow = () => {
    if (quiet < QUIET_S) return false;
    if (!watch || gcAt !== undefined) return true;
    return performance.now() - t0 >= GC_WAIT_S * 1000;
  };
  while (!settledNow() && performance.now() - t0 < 90_000) {
    const a = cpuSeconds(pid);
    await sleep(1000);
    const b = cpuSeconds(pid);
    const now = rssMb(pid);
    peakRss = Math.max(peakRss, now);
    // (Counted once the scan is over: a collection during the scan is not the one meant here.)
    if (watch && gcAt === undefined && scanDoneAt !== undefined && now <= peakRss * GC_DROP)
      gcAt = performance.now() - t0;
    if (b - a <= 0.0101) {
      quiet += 1;
      // The initial scan: from `start` until the first quiet second.
      if (scanDoneAt === undefined) {
        scanDoneAt = performance.now() - 1000;
        scanCpu = a - c0;
      }
    } else quiet = 0;
  }
  const settled = quiet >= QUIET_S;
  const settleMs = performance.now() - t0;
  const settleCpu = cpuSeconds(pid) - c0;
  // The window.
  const rss = [];
  const w0 = performance.now();
  const cA = cpuSeconds(pid);
  // Seconds of the window in which the daemon used more than 20 ms of CPU: [second, ms].
  const bursts = [];
  let cPrev = cA;
  while (performance.now() - w0 < windowS * 1000) {
    await sleep(1000);
    rss.push(rssMb(pid));
    const c = cpuSeconds(pid);
    if (c - cPrev > 0.0201) bursts.push([rss.length, Math.round((c - cPrev) * 1000)]);
    cPrev = c;
  }
  const cB = cpuSeconds(pid);
  const secs = (performance.now() - w0) / 1000;
  const watches = inotifyWatches(pid);
  await tool.cli(['delete', 'idle', '-s'], { timeoutMs: 60_000 });
  await tool.waitEmpty(30_000);
  await sleep(500);
  const r = {
    watch,
    settled,
    settleMs,
    settleCpu,
    scanMs: scanDoneAt === undefined ? NaN : scanDoneAt - t0,
    scanCpu: scanCpu ?? NaN,
    peakRss,
    gcMs: gcAt ?? NaN,
    bursts,
    rssBefore: rss0,
    rss: median(rss),
    rssMax: Math.max(...rss),
    cpuPct: ((cB - cA) / secs) * 100,
    cpuS: cB - cA,
    windowS: secs,
    watches,
    watchesAfterDelete: inotifyWatches(pid),
  };
  ctx.log(
    `health idle ${tool.key} watch ${watch ? 'on ' : 'off'}: start → first quiet second ${(r.scanMs / 1000).toFixed(1)} s (${r.scanCpu.toFixed(2)} s CPU), ${settled ? 'settled' : 'NOT settled'} after ${(settleMs / 1000).toFixed(1)} s (${settleCpu.toFixed(2)} s CPU, peak RSS ${peakRss.toFixed(1)} MB${watch ? `, scan garbage collected ${gcAt === undefined ? `not seen within ${GC_WAIT_S} s` : `at ${(gcAt / 1000).toFixed(0)} s`}` : ''}), then ${r.cpuS.toFixed(2)} s CPU in ${secs.toFixed(0)} s = ${r.cpuPct.toFixed(2)} %, RSS ${r.rss.toFixed(1)} MB (max ${r.rssMax.toFixed(1)}), ${watches} inotify watches (${r.watchesAfterDelete} after delete)`,
  );
  return r;
}

export async function health(tools, ctx) {
  const cfg = ctx.runs.health;
  const H = (ctx.result('health').data = {
    leak: {},
    watch: {},
    notes: [],
    runs: cfg,
    limitMb: LIMIT_MB,
    leakMbS: LEAK_MB_S,
    tree: { ...TREE },
    loadavg: [loadavg()[0].toFixed(2)],
  });
  const t0 = performance.now();
  try {
    for (const t of tools) {
      H.leak[t.key] = await leakRun(t, ctx, H, {
        cycles: t.key === 'steward' ? cfg.leakCycles : 1,
        capS: cfg.capS,
      });
    }
    ctx.log(`health: memory part took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    const root = join(ctx.tmp, 'watch-tree');
    const tt = performance.now();
    makeTree(root);
    H.treeMs = performance.now() - tt;
    for (const t of tools) H.watch[t.key] = {};
    // Without watch both run at once (idle daemons do not disturb each other, and the windows
    // coincide); with watch one after the other, so that the two initial scans do not compete.
    // allSettled: a failure must not leave the other run going on behind the cleanup's back.
    const offs = await Promise.allSettled(tools.map((t) => idleRun(t, ctx, root, false)));
    for (const o of offs) if (o.status === 'rejected') throw o.reason;
    tools.forEach((t, i) => (H.watch[t.key].off = offs[i].value));
    for (const t of [...tools].reverse()) H.watch[t.key].on = await idleRun(t, ctx, root, true);
  } finally {
    H.elapsedMs = performance.now() - t0;
    H.loadavg.push(loadavg()[0].toFixed(2));
    for (const t of tools) {
      const pid = t.daemonPid();
      if (pid !== undefined && !isAlive(pid))
        H.notes.push(`The ${t.key} daemon died during the health case.`);
    }
  }
}
