// Benchmarks 1, 3 and 5 on one fleet of idle apps per tool, grown step by step to save setup time:
//   idle daemon RSS → 20 apps: `ls` timings, RSS → 200 apps: RSS, `delete all` (×runs)
//   → 500 apps: `ls` timings, RSS, one `delete all` (extra data point).
// Both daemons run side by side and every timed step alternates between the tools (and
// `node -e 0`), so that load from anything else on the machine hits both alike.
// Idle apps are symlinks s0…s499 to sleep(1), started with no interpreter (~1 MB each), so 500 of
// them fit easily in memory; Steward starts them with one `start` command listing every script,
// PM2 with one ecosystem file (setup only, not timed).
import { performance } from 'node:perf_hooks';
import { run, sleep } from '../lib/exec.js';
import { rssParts } from '../lib/procs.js';
import { median } from '../lib/stats.js';

/** Pause between rounds of `ls`: Steward refreshes its cpu/memory samples at most once a second,
 * so spacing the calls makes every call pay for a fresh sample, as a human typing `ls` would. */
export const LS_GAP_MS = 1100;

/** `xs` rotated left by `i`: a different tool goes first in each round. */
export const rotate = (xs, i) => xs.map((_, k) => xs[(k + i) % xs.length]);

/**
 * Rounds of timed calls: each round runs every entry of `subjects` once (rotating the order), then
 * waits LS_GAP_MS. The first `warm` rounds are not kept. Returns { [key]: ms[] }.
 */
async function rounds(subjects, { warm, n }) {
  const out = Object.fromEntries(subjects.map((s) => [s.key, []]));
  for (let i = 0; i < warm + n; i += 1) {
    for (const s of rotate(subjects, i)) {
      const ms = await s.fn();
      if (i >= warm) out[s.key].push(ms);
      await sleep(100);
    }
    if (i < warm + n - 1) await sleep(LS_GAP_MS);
  }
  return out;
}

const nodeE0 = {
  key: 'node',
  fn: async () => (await run(process.execPath, ['-e', '0'], { timeoutMs: 30_000 })).ms,
};
const lsOf = (tool) => ({
  key: tool.key,
  fn: async () => (await tool.cli(['ls'], { timeoutMs: 60_000 })).ms,
});

/**
 * How long the daemons are left idle before the "steady" read of their private memory: V8's memory
 * reducer gives the garbage of a burst of commands back only 10–40 s after it (measured on
 * Steward's daemon, issue 21), so a read 1 s after the last command shows the burst, not the daemon.
 */
export const STEADY_MS = 45_000;

/**
 * Medians of a few reads of the daemon's memory after `quietMs` (MB): VmRSS, and its private part
 * (RssAnon: heaps, buffers; the rest is the node binary's and libraries' pages, shared by every
 * Node process and reclaimable).
 */
async function daemonMem(tool, quietMs = 1000) {
  const pid = tool.daemonPid();
  if (pid === undefined) throw new Error(`${tool.key}: no daemon pid in ${tool.pidFile}`);
  await sleep(quietMs);
  const total = [];
  const anon = [];
  for (let i = 0; i < 5; i += 1) {
    const p = rssParts(pid);
    total.push(p?.total ?? NaN);
    anon.push(p?.anon ?? NaN);
    await sleep(200);
  }
  return { total: median(total), anon: median(anon) };
}

/** Reads every tool's memory now (1 s quiet) and again after STEADY_MS idle (all tools at once). */
async function memoryOf(tools, ctx, apps) {
  const R = (t) => ctx.result(t.key);
  for (const t of tools) {
    const m = await daemonMem(t);
    R(t)[`rss${apps}`] = m.total;
    R(t)[`anon${apps}`] = m.anon;
    ctx.log(
      `${t.key}: daemon with ${apps} apps: RSS ${m.total.toFixed(1)} MB, private ${m.anon.toFixed(1)} MB`,
    );
  }
  if (apps === 0) return;
  await sleep(STEADY_MS);
  for (const t of tools) {
    const m = await daemonMem(t, 0);
    R(t)[`anon${apps}steady`] = m.anon;
    ctx.log(
      `${t.key}: daemon with ${apps} apps, idle ${STEADY_MS / 1000} s: private ${m.anon.toFixed(1)} MB`,
    );
  }
}

/** Starts `paths` as idle apps in each tool and waits until each lists `total` apps online. */
async function grow(tools, paths, total, log) {
  for (const t of tools) {
    const t0 = performance.now();
    await t.startIdle(paths);
    await t.waitOnline(total, 180_000);
    log(
      `${t.key}: ${total} apps online after ${((performance.now() - t0) / 1000).toFixed(1)} s (setup, not timed)`,
    );
  }
  await sleep(1000);
}

/** `node -e 0` alone (when the fleet phase is skipped). */
export async function nodeBaseline(ctx) {
  return (await rounds([nodeE0], ctx.runs.ls20)).node;
}

export async function fleet(tools, ctx) {
  const { idle, runs, log } = ctx;
  const R = (t) => ctx.result(t.key);
  const fmt = (xs) => `${median(xs).toFixed(1)} ms`;

  for (const t of tools) await t.ping();
  await memoryOf(tools, ctx, 0);

  await grow(tools, idle.slice(0, 20), 20, log);
  const ls20 = await rounds([nodeE0, ...tools.map(lsOf)], runs.ls20);
  ctx.result('node').baseline = ls20.node;
  log(`node -e 0: median ${fmt(ls20.node)}`);
  for (const t of tools) {
    R(t).ls20 = ls20[t.key];
    log(`${t.key}: ls with 20 apps, median ${fmt(R(t).ls20)}`);
  }
  await memoryOf(tools, ctx, 20);

  await grow(tools, idle.slice(20, 200), 200, log);
  for (const t of tools) await t.cli(['ls']);
  await memoryOf(tools, ctx, 200);

  for (const t of tools) R(t).del200 = [];
  for (let i = 0; i < runs.del200; i += 1) {
    if (i > 0) await grow(tools, idle.slice(0, 200), 200, log);
    for (const t of rotate(tools, i)) {
      const res = await t.deleteAll();
      R(t).del200.push(res.ms);
      log(`${t.key}: delete all (200 apps) ${res.ms.toFixed(0)} ms`);
      await t.waitEmpty();
    }
  }

  await grow(tools, idle.slice(0, 500), 500, log);
  const ls500 = await rounds(tools.map(lsOf), runs.ls500);
  for (const t of tools) {
    R(t).ls500 = ls500[t.key];
    log(`${t.key}: ls with 500 apps, median ${fmt(R(t).ls500)}`);
  }
  for (const t of tools) {
    const m = await daemonMem(t);
    R(t).rss500 = m.total;
    R(t).anon500 = m.anon;
    log(`${t.key}: daemon with 500 apps: RSS ${m.total.toFixed(1)} MB, private ${m.anon.toFixed(1)} MB`);
  }
  for (const t of tools) {
    const res = await t.deleteAll(180_000);
    R(t).del500 = [res.ms];
    log(`${t.key}: delete all (500 apps) ${res.ms.toFixed(0)} ms`);
    await t.waitEmpty();
  }
}
