// Benchmark 4: start 20 Node apps until all of them ran. Each app (a copy of fixtures/marker.js,
// m0.js … m19.js) writes a marker file as soon as it runs; the clock starts before the first
// command is issued and stops when the 20th marker exists. Variants:
//   per-app:   20 `start <file>` commands, one after the other (as a deploy script would);
//   ecosystem: one `start <file>.json` listing the 20 apps (the same file format for both tools).
// Steward's `start` checks that new processes get up (it returns once an app proves it, and the
// daemon watches the rest of STEWARD_START_SETTLE_MS, default 300); each Steward variant runs with
// the default and with 0 (no check). Reference: the
// harness spawning the 20 apps at once itself (what 20 Node boots cost on this machine).
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BenchError, waitFor } from '../lib/exec.js';
import { RUN_MARK } from '../lib/procs.js';

export const START_APPS = 20;

export function variants(toolKey) {
  if (toolKey === 'steward') {
    return [
      { id: 'perApp', settle: 'default', env: {} },
      { id: 'perApp0', settle: '0', env: { STEWARD_START_SETTLE_MS: '0' } },
      { id: 'eco', settle: 'default', env: {} },
      { id: 'eco0', settle: '0', env: { STEWARD_START_SETTLE_MS: '0' } },
    ];
  }
  return [
    { id: 'perApp', env: {} },
    { id: 'eco', env: {} },
  ];
}

/** Waits for START_APPS markers; resolves with ms since t0. `abort()` stops the polling. */
function watchMarkers(markDir, t0, who) {
  let aborted = false;
  const p = waitFor(
    () => {
      if (aborted) throw new BenchError('aborted');
      return readdirSync(markDir).length >= START_APPS;
    },
    {
      what: `${who}: ${START_APPS} marker files`,
      timeoutMs: 90_000,
      intervalMs: 5,
      describe: () => `${readdirSync(markDir).length} markers`,
    },
  ).then(() => performance.now() - t0);
  p.catch(() => undefined);
  return { done: p, abort: () => (aborted = true) };
}

function freshMarkDir(markDir) {
  rmSync(markDir, { recursive: true, force: true });
  mkdirSync(markDir);
}

async function once(tool, ctx, variant, ecosystem) {
  const { markDir, markerApps } = ctx;
  freshMarkDir(markDir);
  const env = { ...variant.env, BENCH_MARK_DIR: markDir };
  const t0 = performance.now();
  const marks = watchMarkers(markDir, t0, tool.key);
  try {
    if (variant.id.startsWith('perApp')) {
      for (const file of markerApps) await tool.cli(['start', file], { env });
    } else {
      await tool.cli(['start', ecosystem], { env });
    }
  } catch (e) {
    marks.abort();
    throw e;
  }
  const cliMs = performance.now() - t0;
  const allRan = await marks.done;
  await tool.deleteAll();
  return { allRan, cliMs };
}

/** Reference: the harness itself spawns the 20 apps at once with `node <file>` (no manager). */
async function plainSpawn(ctx) {
  const { markDir, markerApps } = ctx;
  freshMarkDir(markDir);
  const t0 = performance.now();
  const marks = watchMarkers(markDir, t0, 'plain spawn');
  const children = markerApps.map((file) =>
    spawn(process.execPath, [file], {
      env: { ...process.env, [RUN_MARK]: ctx.runId, BENCH_MARK_DIR: markDir, name: basename(file, '.js') },
      stdio: 'ignore',
    }),
  );
  const cliMs = performance.now() - t0;
  try {
    return { allRan: await marks.done, cliMs };
  } finally {
    await Promise.all(
      children.map(
        (c) =>
          new Promise((resolve) => {
            if (c.exitCode !== null || c.signalCode !== null) return resolve();
            c.once('exit', resolve);
            c.kill('SIGKILL');
          }),
      ),
    );
  }
}

/**
 * `runs` rounds; each round runs every variant of every tool once (the order rotates per round so
 * that background load hits all alike). Results: ctx.result(key).start[variant] = { allRan, cli }.
 */
export async function start(tools, ctx) {
  const jobs = [];
  for (const tool of tools) {
    const r = ctx.result(tool.key);
    r.start = {};
    const ecosystem = tool.writeEcosystem(
      ctx.markerApps.map((f) => ({ name: basename(f, '.js'), script: f })),
    );
    for (const v of variants(tool.key)) {
      r.start[v.id] = { allRan: [], cli: [] };
      jobs.push({ key: tool.key, run: () => once(tool, ctx, v, ecosystem), v, out: r.start[v.id] });
    }
  }
  const plain = (ctx.result('loop').start = { spawn: { allRan: [], cli: [] } });
  jobs.push({ key: 'plain Node', run: () => plainSpawn(ctx), v: { id: 'spawn' }, out: plain.spawn });
  for (let i = 0; i < ctx.runs.start; i += 1) {
    for (let k = 0; k < jobs.length; k += 1) {
      const { key, run, v, out } = jobs[(k + i) % jobs.length];
      const res = await run();
      out.allRan.push(res.allRan);
      out.cli.push(res.cliMs);
      ctx.log(`${key}: start ${START_APPS} (${v.id}): all ran after ${res.allRan.toFixed(0)} ms`);
    }
  }
}
