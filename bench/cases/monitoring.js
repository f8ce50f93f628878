// Benchmark 8: what monitoring costs, Steward vs PM2. Three parts:
//
//  1. HTTP agent cost: a hello-world HTTP app (fixtures/http-hello.js, fork mode, 1 instance) run
//     four ways side by side, each on its own port: plain `node app.js` spawned by the harness,
//     Steward with its agent (the default), Steward with `--no-agent`, and PM2 (which injects
//     pm2-io-bpm). Idle RSS (VmRSS of the app's process tree, median of 5 reads after a quiet
//     moment, before any request), then keep-alive load (wrk or autocannon, lib/loadgen.js): a short
//     warm-up each, then rounds of one timed run per subject, rotating who goes first. Agent cost =
//     (plain − X) ÷ plain for req/s, X − plain for RSS.
//  2. Daemon CPU with 50 idle Node apps per tool (fixtures/idle.js, so both agents are injected),
//     both fleets up at once and both daemons measured over the same windows: first nobody looking,
//     then `jlist` once a second per tool (what a dashboard does). CPU = utime + stime of
//     /proc/<daemon pid>/stat over the window. The apps' own CPU (the agents' background cost) is
//     measured alongside.
//  3. `steward monit` and `pm2 monit` open at the same time on those 50 apps, each in a detached
//     tmux session of 120x35 (one tmux server per tool): CPU of the monit process tree (the pane's
//     pid and its descendants), and of its daemon and its tmux server meanwhile.
//
// Every app is deleted at the end of its part; the plain app and the tmux servers are stopped by
// the harness. Everything spawned carries the run mark (STEWARD_BENCH_RUN).
import { execFileSync, spawn } from 'node:child_process';
import { freemem, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { BenchError, ensureAptCommand, sleep, waitFor } from '../lib/exec.js';
import { ensureLoadGen, freePort, load, LOAD, waitServing } from '../lib/loadgen.js';
import { childrenOf, cpuSeconds, isAlive, rssMb, RUN_MARK } from '../lib/procs.js';
import { median } from '../lib/stats.js';
import { rpsOf } from '../lib/report-cluster.js';
import { agentInstructions } from './agent-instr.js';
import { rotate } from './fleet.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../..');
const IDLE = join(here, '../fixtures/idle.js');
const HELLO = join(here, '../fixtures/http-hello.js');
const EMPTY_PRELOAD = join(here, '../fixtures/empty-preload.cjs');
export const MONIT_SIZE = { cols: 120, rows: 35 };
/** Roughly what one idle Node app takes (either tool), to check memory before starting the fleets. */
const APP_MB = 55;

const online = (list) => list.filter((p) => p.pm2_env?.status === 'online');

/** A pid and all its descendants. */
function tree(pid) {
  const out = [];
  const stack = [pid];
  while (stack.length > 0) {
    const p = stack.pop();
    if (out.includes(p)) continue;
    out.push(p);
    stack.push(...childrenOf(p));
  }
  return out;
}

/** VmRSS (MiB) summed over a process tree (a process gone meanwhile counts 0); NaN when the root is gone. */
const treeRssMb = (pid) =>
  isAlive(pid) ? tree(pid).reduce((n, p) => n + (Number.isFinite(rssMb(p)) ? rssMb(p) : 0), 0) : NaN;

/** Median of `n` reads of `f()`, `gapMs` apart. */
async function medianOf(f, n = 5, gapMs = 500) {
  const xs = [];
  for (let i = 0; i < n; i += 1) {
    if (i > 0) await sleep(gapMs);
    xs.push(f());
  }
  return median(xs.filter((v) => Number.isFinite(v)));
}

/** CPU seconds summed over pids (a pid that is gone counts 0). */
const cpuSum = (pids) =>
  pids.reduce((n, p) => {
    const v = cpuSeconds(p);
    return n + (Number.isFinite(v) ? v : 0);
  }, 0);

/**
 * CPU of process trees over a window: samples every second, so that a process that appears during
 * the window (counted from 0) or leaves it (counted until last seen) is not lost.
 */
class TreeCpu {
  constructor(roots) {
    this.roots = roots;
    this.first = new Map();
    this.last = new Map();
    this.maxRss = 0;
    this.sample(true);
  }

  sample(initial = false) {
    let rss = 0;
    for (const pid of this.roots.flatMap((r) => (isAlive(r) ? tree(r) : []))) {
      const c = cpuSeconds(pid);
      if (!Number.isFinite(c)) continue;
      if (!this.first.has(pid)) this.first.set(pid, initial ? c : 0);
      this.last.set(pid, c);
      const mb = rssMb(pid);
      if (Number.isFinite(mb)) rss += mb * 1024;
    }
    this.maxRss = Math.max(this.maxRss, rss / 1024);
  }

  seconds() {
    let s = 0;
    for (const [pid, c] of this.last) s += c - this.first.get(pid);
    return s;
  }

  get pids() {
    return [...this.last.keys()];
  }
}

/** Runs `tool jlist` once a second (start to start) until `endAt`; resolves with the wall times. */
async function looker(tool, endAt, offsetMs) {
  const ms = [];
  await sleep(offsetMs);
  while (performance.now() < endAt) {
    const t0 = performance.now();
    const r = await tool.cli(['jlist'], { timeoutMs: 30_000 });
    ms.push(r.ms);
    const next = t0 + 1000;
    if (next >= endAt) break;
    await sleep(Math.max(0, next - performance.now()));
  }
  return ms;
}

// ---------------------------------------------------------------------------------------------
// Part 1: the agent's cost on a hello-world HTTP app

async function startManaged(tool, name, port, extra = []) {
  await tool.cli(['start', HELLO, '--name', name, ...extra, '-s'], {
    env: { PORT: String(port) },
    timeoutMs: 60_000,
  });
  let pid;
  let last = 'no answer yet';
  await waitFor(
    async () => {
      const list = online((await tool.jlist()).filter((p) => p.name === name));
      last = `${list.length} online`;
      pid = list[0]?.pid;
      return list.length === 1 && pid > 0;
    },
    { what: `${tool.key}: ${name} online`, timeoutMs: 30_000, intervalMs: 200, describe: () => last },
  );
  await waitServing(port, `${tool.key} ${name}`);
  return pid;
}

/** Loaded-together rounds per set of processes (a fresh set before each group). */
const TOGETHER_PER_START = 4;

/**
 * Replaces every subject's process with a new one, then warms each up. How fast one process of the
 * same app runs here depends on the process: within one run of this suite an app kept its speed
 * from round to round, while from one start to the next the same two apps' ratio moved by up to
 * ±30 % (session 5: an empty `--require` preload 25 % slower than `--no-agent` in three runs, the
 * same in a fourth). New processes for each round spread that over the rounds instead of fixing
 * one draw for the whole run.
 */
async function fresh(gen, subjects, cfg, ctx) {
  for (const s of subjects) s.pid = await s.start();
  for (const s of subjects) await load(gen, `http://127.0.0.1:${s.port}/`, cfg.warmS, ctx.runId);
}

/** Every subject under its own load generator for `seconds`, all at once; per subject its load and app CPU. */
async function loadAtOnce(gen, subjects, seconds, ctx) {
  const c0 = subjects.map((s) => cpuSum(tree(s.pid)));
  const results = await Promise.all(
    subjects.map((s) => load(gen, `http://127.0.0.1:${s.port}/`, seconds, ctx.runId)),
  );
  const round = {};
  subjects.forEach((s, i) => {
    const { requests, seconds: sec, rps, failed } = results[i];
    round[s.key] = { requests, seconds: sec, rps, failed, appCpu: cpuSum(tree(s.pid)) - c0[i] };
  });
  return round;
}

/**
 * Rounds with every subject under its own load generator at the same time (one wrk each), so that
 * the subjects of a round share the machine's conditions of that moment. Runs of one subject after
 * another, as above, compare moments: on the 2-vCPU reference machine the same app's µs of CPU per
 * request moved by ±20 % from one 8 s run to the next, which hides a 3 % difference. Loaded
 * together, all subjects share the two cores, so their absolute µs per request are higher than
 * alone; the ratios between them are what this is for.
 */
async function together(gen, subjects, cfg, ctx, M) {
  M.http.together = [];
  for (let r = 0; r < cfg.togetherRounds; r += 1) {
    if (r % TOGETHER_PER_START === 0) await fresh(gen, subjects, cfg, ctx);
    const round = await loadAtOnce(gen, subjects, cfg.togetherS, ctx);
    M.http.together.push(round);
    ctx.log(
      `monitoring http together ${r + 1}/${cfg.togetherRounds}: ${subjects.map((s) => `${s.key} ${round[s.key].rps.toFixed(0)} req/s ${((round[s.key].appCpu / round[s.key].requests) * 1e6).toFixed(1)} µs/request`).join(', ')}`,
    );
  }
}

/**
 * Fresh pairs: only the agent app and its control (the same app with an empty `--require`
 * preload), both replaced by new processes before every round, warmed up together, then loaded
 * together, each by its own wrk. Two apps and two load generators on two cores instead of five and
 * five, and one new draw of both processes per round: the rounds are independent samples of the
 * agent's cost, so the report can give a confidence interval (bootstrap, lib/stats.js) instead of
 * only a median. In session 6, 12 such pairs of two identical apps (both the control) differed by
 * 0.4 % in the median with a standard deviation of 11 % per pair, so it takes tens of pairs to
 * resolve a few per cent.
 */
async function pairs(gen, subjects, cfg, ctx, M) {
  const two = ['steward', 'preload'].map((k) => subjects.find((s) => s.key === k));
  if (!cfg.pairRounds || two.some((s) => s === undefined)) return;
  M.http.pairs = [];
  for (let r = 0; r < cfg.pairRounds; r += 1) {
    // Started in turn, alternating which goes first.
    for (const s of r % 2 === 0 ? two : [...two].reverse()) s.pid = await s.start();
    await Promise.all(
      two.map((s) => load(gen, `http://127.0.0.1:${s.port}/`, cfg.pairWarmS ?? cfg.warmS, ctx.runId)),
    );
    const round = await loadAtOnce(gen, two, cfg.pairS, ctx);
    M.http.pairs.push(round);
    const us = (k) => (round[k].appCpu / round[k].requests) * 1e6;
    ctx.log(
      `monitoring http pair ${r + 1}/${cfg.pairRounds}: agent ${us('steward').toFixed(1)} µs/request, control ${us('preload').toFixed(1)} µs/request, ${(((us('steward') - us('preload')) / us('preload')) * 100).toFixed(1)} %`,
    );
  }
}

async function httpPart(tools, ctx, M) {
  const cfg = ctx.runs.monitoring.http;
  const steward = tools.find((t) => t.key === 'steward');
  const pm2 = tools.find((t) => t.key === 'pm2');
  const gen = await ensureLoadGen(repo, ctx.log);
  M.http = { gen: gen.version, genNote: gen.note, cfg, load: { ...LOAD }, subjects: {} };
  const subjects = [];
  const stops = [];
  try {
    // The plain app: `node app.js`, spawned by the harness, no IPC channel, no preload.
    {
      const port = await freePort();
      let child;
      const stop = async () => {
        if (child && child.exitCode === null && child.signalCode === null) {
          const exited = new Promise((resolve) => child.once('exit', resolve));
          child.kill('SIGTERM');
          await Promise.race([exited, sleep(5000)]);
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        }
      };
      const start = async () => {
        await stop();
        child = spawn(process.execPath, [HELLO], {
          env: { ...process.env, [RUN_MARK]: ctx.runId, PORT: String(port) },
          stdio: 'ignore',
        });
        await waitServing(port, 'plain node app');
        return child.pid;
      };
      stops.push(stop);
      subjects.push({ key: 'plain', label: 'plain `node app.js`', port, start, pid: await start() });
    }
    const managed = async (tool, key, label, name, extra = []) => {
      const port = await freePort();
      stops.push(() => tool.cli(['delete', name, '-s'], { allowFail: true }));
      // A new process each time (delete, then start again on the same port).
      const start = async () => {
        await tool.cli(['delete', name, '-s'], { allowFail: true });
        return startManaged(tool, name, port, extra);
      };
      subjects.push({ key, label, port, start, pid: await start() });
    };
    if (steward) {
      await managed(steward, 'steward', 'Steward (agent)', 'hello-agent');
      await managed(steward, 'noagent', 'Steward `--no-agent`', 'hello-noagent', ['--no-agent']);
      // The control: no agent, but a preload that does nothing, loaded the way the agent is
      // (`--require`); see "The control" in docs/benchmarks.md.
      await managed(steward, 'preload', 'Steward `--no-agent`, empty `--require` preload', 'hello-preload', [
        '--no-agent',
        `--node-args=--require ${EMPTY_PRELOAD}`,
      ]);
    }
    if (pm2) await managed(pm2, 'pm2', 'PM2', 'hello');
    // Idle RSS: after the agents' first reports (Steward's every 2 s), before any request.
    await sleep(cfg.settleS * 1000);
    for (const s of subjects) {
      M.http.subjects[s.key] = {
        label: s.label,
        pid: s.pid,
        rssIdle: await medianOf(() => treeRssMb(s.pid), 5, 300),
        runs: [],
      };
    }
    ctx.log(
      `monitoring http idle RSS: ${subjects.map((s) => `${s.key} ${M.http.subjects[s.key].rssIdle.toFixed(1)} MB`).join(', ')}`,
    );
    for (const s of subjects) await load(gen, `http://127.0.0.1:${s.port}/`, cfg.warmS, ctx.runId);
    for (let r = 0; r < cfg.rounds; r += 1) {
      if (r > 0) await fresh(gen, subjects, cfg, ctx);
      for (const s of rotate(subjects, r)) {
        const c0 = cpuSum(tree(s.pid));
        const res = await load(gen, `http://127.0.0.1:${s.port}/`, cfg.runS, ctx.runId);
        res.appCpu = cpuSum(tree(s.pid)) - c0;
        res.round = r;
        delete res.raw;
        M.http.subjects[s.key].runs.push(res);
        ctx.log(
          `monitoring http ${s.key}: ${res.rps.toFixed(0)} req/s (${res.failed} failed), app CPU ${res.appCpu.toFixed(2)} s = ${((res.appCpu / res.requests) * 1e6).toFixed(1)} µs/request`,
        );
      }
    }
    await together(gen, subjects, cfg, ctx, M);
    await pairs(gen, subjects, cfg, ctx, M);
    await sleep(1000);
    for (const s of subjects)
      M.http.subjects[s.key].rssAfter = await medianOf(() => treeRssMb(s.pid), 3, 300);
  } finally {
    for (const stop of stops) await stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Part 2: daemon CPU with 50 idle apps, nobody looking / `jlist` once a second

async function startFleet(tool, n) {
  const apps = Array.from({ length: n }, (_, i) => ({ name: `idle-${i}`, script: IDLE }));
  const r = await tool.cli(['start', tool.writeEcosystem(apps), '-s'], { timeoutMs: 180_000 });
  return r.ms;
}

async function fleetWindow(tools, ctx, seconds, looking) {
  const fleets = [];
  for (const t of tools) {
    const pid = t.daemonPid();
    if (pid === undefined) throw new BenchError(`${t.key}: no daemon pid in ${t.pidFile}`);
    const apps = online(await t.jlist()).map((p) => p.pid);
    fleets.push({ t, pid, apps });
  }
  // Let the jlist calls above settle (Steward reuses a sample for a second).
  await sleep(1500);
  const rss = Object.fromEntries(fleets.map((f) => [f.t.key, []]));
  const c0 = fleets.map((f) => ({ d: cpuSeconds(f.pid), a: cpuSum(f.apps) }));
  const t0 = performance.now();
  const endAt = t0 + seconds * 1000;
  const lookers = looking ? fleets.map((f, i) => looker(f.t, endAt, (i * 1000) / fleets.length)) : [];
  for (const l of lookers) l.catch(() => undefined);
  while (performance.now() < endAt) {
    await sleep(Math.min(1000, endAt - performance.now()));
    // The daemon process alone (its tree would hold the apps).
    for (const f of fleets) rss[f.t.key].push(rssMb(f.pid));
  }
  const c1 = fleets.map((f) => ({ d: cpuSeconds(f.pid), a: cpuSum(f.apps) }));
  const secs = (performance.now() - t0) / 1000;
  const calls = await Promise.all(lookers);
  const out = {};
  fleets.forEach((f, i) => {
    const r = {
      windowS: secs,
      daemonCpuS: c1[i].d - c0[i].d,
      daemonPct: ((c1[i].d - c0[i].d) / secs) * 100,
      appsCpuS: c1[i].a - c0[i].a,
      appsPct: ((c1[i].a - c0[i].a) / secs) * 100,
      apps: f.apps.length,
      daemonRss: median(rss[f.t.key].filter(Number.isFinite)),
      jlistMs: looking ? calls[i] : [],
    };
    out[f.t.key] = r;
    ctx.log(
      `monitoring fleet ${looking ? 'jlist every second' : 'nobody looking'} ${f.t.key}: daemon ${r.daemonCpuS.toFixed(2)} s CPU in ${secs.toFixed(0)} s = ${r.daemonPct.toFixed(2)} %, RSS ${r.daemonRss.toFixed(1)} MB; ${r.apps} apps ${r.appsPct.toFixed(2)} %${looking ? `; ${r.jlistMs.length} jlist calls, median ${median(r.jlistMs).toFixed(0)} ms` : ''}`,
    );
  });
  return out;
}

// ---------------------------------------------------------------------------------------------
// Part 3: monit open in tmux

class Tmux {
  constructor(socket, env) {
    this.socket = socket;
    this.env = env;
  }

  cmd(args, allowFail = false) {
    try {
      return execFileSync('tmux', ['-S', this.socket, '-f', '/dev/null', ...args], {
        env: this.env,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: 10_000,
      });
    } catch (e) {
      if (allowFail) return '';
      throw new BenchError(`tmux ${args[0]} failed: ${e.message}`, String(e.stderr ?? ''));
    }
  }

  screen() {
    return this.cmd(['capture-pane', '-p', '-t', 'm'], true);
  }
}

async function ensureTmux(ctx) {
  const v = await ensureAptCommand('tmux', ['-V'], 'tmux', ctx.log);
  if (!v) throw new BenchError('tmux is not installed (needed for the monit part)');
  return v;
}

async function monitPart(tools, ctx, M, fleetName) {
  const cfg = ctx.runs.monitoring;
  M.monit = { tmux: await ensureTmux(ctx), size: { ...MONIT_SIZE }, windowS: cfg.monitS, tools: {} };
  const sessions = [];
  try {
    for (const t of tools) {
      const env = { ...t.env, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
      // Colours on, as a person would see it (the harness sets NO_COLOR for its other commands).
      delete env.NO_COLOR;
      delete env.TMUX;
      const tmux = new Tmux(join(ctx.tmp, `tmux-${t.key}.sock`), env);
      sessions.push({ t, tmux });
      tmux.cmd([
        'new-session',
        '-d',
        '-s',
        'm',
        '-x',
        String(MONIT_SIZE.cols),
        '-y',
        String(MONIT_SIZE.rows),
        process.execPath,
        t.bin,
        'monit',
      ]);
      const s = sessions[sessions.length - 1];
      s.panePid = Number(tmux.cmd(['list-panes', '-t', 'm', '-F', '#{pane_pid}']).trim());
      s.serverPid = Number(tmux.cmd(['display-message', '-p', '-t', 'm', '#{pid}']).trim());
    }
    // Up and showing the apps.
    for (const s of sessions)
      await waitFor(() => s.tmux.screen().includes(fleetName), {
        what: `${s.t.key} monit showing the apps`,
        timeoutMs: 30_000,
        intervalMs: 200,
        describe: () => s.tmux.screen().split('\n').slice(0, 4).join(' / ') || '(empty screen)',
      });
    await sleep(cfg.monitWarmS * 1000);
    const meters = sessions.map((s) => ({
      monit: new TreeCpu([s.panePid]),
      daemon: cpuSeconds(s.t.daemonPid()),
      server: cpuSeconds(s.serverPid),
    }));
    const t0 = performance.now();
    const endAt = t0 + cfg.monitS * 1000;
    while (performance.now() < endAt) {
      await sleep(Math.min(1000, endAt - performance.now()));
      for (const m of meters) m.monit.sample();
    }
    const secs = (performance.now() - t0) / 1000;
    sessions.forEach((s, i) => {
      const m = meters[i];
      const cpuS = m.monit.seconds();
      const daemonS = cpuSeconds(s.t.daemonPid()) - m.daemon;
      const serverS = cpuSeconds(s.serverPid) - m.server;
      const screen = s.tmux.screen();
      const r = {
        windowS: secs,
        cpuS,
        pct: (cpuS / secs) * 100,
        rss: m.monit.maxRss,
        procs: m.monit.pids.length,
        daemonPct: (daemonS / secs) * 100,
        tmuxPct: (serverS / secs) * 100,
        alive: isAlive(s.panePid),
        screen: screen.split('\n').slice(0, 6).join('\n'),
      };
      M.monit.tools[s.t.key] = r;
      ctx.log(
        `monitoring monit ${s.t.key}: ${cpuS.toFixed(2)} s CPU in ${secs.toFixed(0)} s = ${r.pct.toFixed(2)} % (${r.procs} process(es), RSS ${r.rss.toFixed(1)} MB); daemon meanwhile ${r.daemonPct.toFixed(2)} %, tmux server ${r.tmuxPct.toFixed(2)} %`,
      );
      if (!r.alive) throw new BenchError(`${s.t.key} monit exited during the window`, screen);
    });
  } finally {
    for (const s of sessions) {
      s.tmux.cmd(['send-keys', '-t', 'm', 'q'], true);
    }
    for (const s of sessions) {
      if (s.panePid)
        await waitFor(() => !isAlive(s.panePid), {
          what: `${s.t.key} monit to quit on q`,
          timeoutMs: 5000,
        }).catch(() => {
          M.notes.push(`${s.t.key} monit did not quit on \`q\` within 5 s (killed with the tmux server).`);
        });
      s.tmux.cmd(['kill-server'], true);
      if (s.serverPid)
        await waitFor(() => !isAlive(s.serverPid), {
          what: `${s.t.key} tmux server to exit`,
          timeoutMs: 5000,
        });
    }
  }
}

// ---------------------------------------------------------------------------------------------

export async function monitoring(tools, ctx) {
  const cfg = ctx.runs.monitoring;
  const M = (ctx.result('monitoring').data = {
    runs: cfg,
    notes: [],
    loadavg: [loadavg()[0].toFixed(2)],
  });
  const t0 = performance.now();
  try {
    await httpPart(tools, ctx, M);
    ctx.log(`monitoring: HTTP part took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    if (tools.some((t) => t.key === 'steward')) {
      const ti = performance.now();
      await agentInstructions(ctx, M, rpsOf(M.http?.subjects?.steward?.runs ?? []));
      ctx.log(`monitoring: instruction count took ${((performance.now() - ti) / 1000).toFixed(0)} s`);
    }

    // Both fleets at once when memory allows (the usual case), else one tool after the other.
    const needMb = tools.length * cfg.apps * APP_MB + 1024;
    const freeMb = freemem() / 1024 ** 2;
    const together = freeMb > needMb;
    M.fleet = { apps: cfg.apps, together, freeGb: freeMb / 1024, idle: {}, looking: {} };
    if (!together)
      M.notes.push(
        `Only ${(freeMb / 1024).toFixed(1)} GB free (both fleets need ≈ ${(needMb / 1024).toFixed(1)} GB): the fleets ran one tool after the other, and monit was not measured side by side.`,
      );
    const groups = together ? [tools] : tools.map((t) => [t]);
    M.monit = undefined;
    for (const group of groups) {
      const tf = performance.now();
      try {
        for (const t of group) {
          const ms = await startFleet(t, cfg.apps);
          await t.waitOnline(cfg.apps, 120_000);
          ctx.log(
            `monitoring: ${t.key} started ${cfg.apps} idle apps (command ${(ms / 1000).toFixed(1)} s, all online after ${((performance.now() - tf) / 1000).toFixed(1)} s)`,
          );
        }
        await sleep(cfg.settleS * 1000);
        Object.assign(M.fleet.idle, await fleetWindow(group, ctx, cfg.idleS, false));
        Object.assign(M.fleet.looking, await fleetWindow(group, ctx, cfg.lookS, true));
        const monit = M.monit?.tools ?? {};
        await monitPart(group, ctx, M, 'idle-0');
        M.monit.tools = { ...monit, ...M.monit.tools };
      } finally {
        for (const t of group) {
          await t.cli(['delete', 'all', '-s'], { timeoutMs: 120_000, allowFail: true });
          await t.waitEmpty(60_000);
        }
      }
    }
  } finally {
    M.elapsedMs = performance.now() - t0;
    M.loadavg.push(loadavg()[0].toFixed(2));
    for (const t of tools) {
      const pid = t.daemonPid();
      if (pid !== undefined && !isAlive(pid))
        M.notes.push(`The ${t.key} daemon died during the monitoring case.`);
    }
  }
}
