// Benchmark 6: cluster mode, Steward vs PM2 vs a hand-written Node `cluster` program. Three parts,
// all on loopback with wrk (or autocannon, see lib/loadgen.js), 2 instances of a hello-world app:
//
//  1. Throughput: the three run side by side on their own ports, idle but for the one being
//     measured; rounds of a 1 s warm-up + a timed run per subject, rotating who goes first.
//  2. Failed requests while the load generator drives the app for a fixed window and the harness
//     runs `reload` 5 times (one after the other, spread over the window): an app that drains on
//     SIGINT (fixtures/http-drain.js), one with no shutdown code (fixtures/http-hello.js), and for
//     Steward only a Python app on a shared socket (examples/python/server.py). Then `restart` 3
//     times on the draining app, for reference.
//  3. `scale` from 2 to 8 instances: until all 8 are listening (each instance writes its pid to a
//     marker directory from its 'listening' callback) and the tool's own `scale` command returned;
//     checked against `jlist` (8 online, the same pids).
//
// Every app is deleted right after its part; the hand-written cluster is stopped by the harness.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { run, sleep, waitFor } from '../lib/exec.js';
import { ensureLoadGen, freePort, load, LOAD, waitServing } from '../lib/loadgen.js';
import { childrenOf, cpuSeconds, isAlive, RUN_MARK } from '../lib/procs.js';
import { rotate } from './fleet.js';

const here = dirname(fileURLToPath(import.meta.url));
const repo = join(here, '../..');
const FIX = {
  hello: join(here, '../fixtures/http-hello.js'),
  drain: join(here, '../fixtures/http-drain.js'),
  hand: join(here, '../fixtures/cluster-hand.js'),
  python: join(repo, 'examples/python/server.py'),
};
export const INSTANCES = 2;
export const SCALE_TO = 8;
export const RELOADS = 5;
export const RESTARTS = 3;
/** Load keeps running this long after the window the operations are spread over, so that the
 * last one (which may start late when the previous ones were slow) still ends under load. */
export const TAIL_S = 3;

const online = (list) => list.filter((p) => p.pm2_env?.status === 'online');
const tail = (s, n = 4) => (s ?? '').trim().split('\n').slice(-n).join('\n');

/** `start <script> --name <name> -i N [extra] -s` with PORT in its environment; waits until it serves. */
async function startApp(tool, { name, script, port, extra = [], env = {}, instances = INSTANCES }) {
  await tool.cli(['start', script, '--name', name, '-i', String(instances), ...extra, '-s'], {
    env: { PORT: String(port), ...env },
    timeoutMs: 60_000,
  });
  let last = 'no answer yet';
  await waitFor(
    async () => {
      const list = (await tool.jlist()).filter((p) => p.name === name);
      last = `${list.length} listed, ${online(list).length} online`;
      return list.length === instances && online(list).length === instances;
    },
    {
      what: `${tool.key}: ${instances} instances of ${name} online`,
      timeoutMs: 30_000,
      intervalMs: 200,
      describe: () => last,
    },
  );
  await waitServing(port, `${tool.key} ${name}`);
}

async function deleteApp(tool, name) {
  await tool.cli(['delete', name, '-s'], { timeoutMs: 60_000, allowFail: true });
  await tool.waitEmpty(30_000);
}

/** The hand-written cluster (fixtures/cluster-hand.js), spawned by the harness. */
async function startHand(ctx, port) {
  const child = spawn(process.execPath, [FIX.hand], {
    env: { ...process.env, [RUN_MARK]: ctx.runId, PORT: String(port), BENCH_WORKERS: String(INSTANCES) },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await waitServing(port, 'hand-written cluster');
  return {
    pid: child.pid,
    async stop() {
      const workers = childrenOf(child.pid);
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await Promise.race([exited, sleep(5000)]);
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      }
      await waitFor(() => workers.every((w) => !isAlive(w)), {
        what: 'the hand-written cluster workers to exit',
        timeoutMs: 5000,
      }).catch(() => workers.forEach((w) => isAlive(w) && process.kill(w, 'SIGKILL')));
    },
  };
}

/** Inodes of the ESTABLISHED TCP sockets whose local port is `port` (/proc/net/tcp and tcp6). */
function establishedInodes(port) {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const out = new Set();
  for (const f of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(f, 'latin1');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const c = line.trim().split(/\s+/);
      if (c.length > 9 && c[3] === '01' && c[1].endsWith(`:${hex}`)) out.add(c[9]);
    }
  }
  return out;
}

/** How many of the server's established connections each pid holds (the kernel's spread). */
function connsPerPid(port, pids) {
  const inodes = establishedInodes(port);
  return pids.map((pid) => {
    let n = 0;
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
          if (m && inodes.has(m[1])) n += 1;
        } catch {
          // closed meanwhile
        }
      }
    } catch {
      return NaN;
    }
    return n;
  });
}

/**
 * Load generators on this machine that are not this run's (wrk, autocannon): another session
 * driving HTTP load at the same time takes CPU from the apps measured here.
 */
function foreignLoad(runId) {
  const out = [];
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const cmd = readFileSync(`/proc/${n}/cmdline`, 'latin1').split('\0');
      const exe = cmd[0].split('/').pop();
      if (exe !== 'wrk' && !cmd.some((a) => a.includes('autocannon'))) continue;
      if (readFileSync(`/proc/${n}/environ`, 'latin1').split('\0').includes(`${RUN_MARK}=${runId}`)) continue;
      out.push(Number(n));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** Notes (once per part) that another load generator was running. */
function noteForeign(ctx, C, part) {
  const f = foreignLoad(ctx.runId);
  if (f.length === 0) return;
  C.foreign[part] = (C.foreign[part] ?? 0) + 1;
  if (C.foreign[part] === 1)
    ctx.log(`cluster ${part}: another load generator is running (pid ${f.join(', ')})`);
}

/** CPU seconds of a set of pids (missing ones count 0). */
const cpuOf = (pids) => pids.map((p) => cpuSeconds(p)).map((v) => (Number.isFinite(v) ? v : 0));

/** Part 1: req/s of the three, rounds of warm-up + timed run, rotating who goes first. */
async function throughput(tools, ctx, C, gen) {
  const cfg = ctx.runs.cluster;
  const subjects = [];
  const stops = [];
  try {
    for (const t of tools) {
      const port = await freePort();
      await startApp(t, { name: 'tput', script: FIX.hello, port });
      stops.push(() => deleteApp(t, 'tput'));
      const list = await t.jlist();
      subjects.push({
        key: t.key,
        port,
        // The process that hands out connections: PM2's daemon is the cluster primary.
        primary: t.daemonPid(),
        workers: online(list).map((p) => p.pid),
      });
    }
    const port = await freePort();
    const hand = await startHand(ctx, port);
    stops.push(() => hand.stop());
    subjects.push({ key: 'hand', port, primary: hand.pid, workers: childrenOf(hand.pid) });
    for (const s of subjects) C.throughput[s.key] = [];
    // Warm-up (JIT) once; then short timed runs, many rounds: a burst of background load on a
    // shared machine then hits every subject about alike.
    for (const s of subjects) await load(gen, `http://127.0.0.1:${s.port}/`, cfg.warmS, ctx.runId);
    for (let r = 0; r < cfg.rounds; r += 1) {
      for (const s of rotate(subjects, r)) {
        const url = `http://127.0.0.1:${s.port}/`;
        const w0 = cpuOf(s.workers);
        const p0 = cpuSeconds(s.primary);
        const running = load(gen, url, cfg.throughputS, ctx.runId);
        running.catch(() => undefined);
        // Where the load generator's connections landed, a moment after it opened them.
        await sleep(Math.min(500, (cfg.throughputS * 1000) / 4));
        const conns = connsPerPid(s.port, s.workers);
        noteForeign(ctx, C, 'throughput');
        const res = await running;
        res.conns = conns;
        const w1 = cpuOf(s.workers);
        res.workerCpu = w1.map((v, i) => v - w0[i]);
        res.primaryCpu = cpuSeconds(s.primary) - p0;
        delete res.raw;
        C.throughput[s.key].push(res);
        ctx.log(
          `cluster throughput ${s.key}: ${res.rps.toFixed(0)} req/s (${res.failed} failed), connections per worker ${res.conns.join(' / ')}, worker CPU ${res.workerCpu.map((v) => v.toFixed(1)).join(' + ')} s, ${s.key === 'steward' ? 'daemon' : s.key === 'pm2' ? 'daemon (primary)' : 'primary'} CPU ${res.primaryCpu.toFixed(2)} s`,
        );
      }
    }
  } finally {
    for (const stop of stops) await stop();
  }
}

/** Offsets (ms into the load window) of `n` operations spread over it. */
function schedule(n, windowS) {
  const first = 0.1 * windowS * 1000;
  const last = 0.77 * windowS * 1000;
  return Array.from({ length: n }, (_, k) => (n === 1 ? first : first + (k * (last - first)) / (n - 1)));
}

/** One run of part 2: the app under load for the window while `op` runs `count` times. */
async function underLoad(tool, ctx, C, gen, sc) {
  const cfg = ctx.runs.cluster;
  const port = sc.port ?? (await freePort());
  const name = 'rl';
  await startApp(tool, { name, script: sc.script, port, extra: sc.extra ?? [] });
  try {
    const before = online(await tool.jlist()).map((p) => p.pid);
    const t0 = performance.now();
    const loadP = load(gen, `http://127.0.0.1:${port}/`, cfg.windowS + TAIL_S, ctx.runId);
    loadP.catch(() => undefined);
    const ops = [];
    try {
      noteForeign(ctx, C, 'reload');
      for (const at of schedule(sc.count, cfg.windowS)) {
        const wait = t0 + at - performance.now();
        if (wait > 0) await sleep(wait);
        const s = performance.now() - t0;
        const r = await tool.cli([sc.op, name, '-s'], { allowFail: true, timeoutMs: 60_000 });
        ops.push({ atMs: s, ms: r.ms, code: r.code, ...(r.code ? { err: tail(r.stderr || r.stdout) } : {}) });
      }
    } catch (e) {
      // Let the load generator finish (it has a deadline) rather than leave it running.
      await loadP.catch(() => undefined);
      throw e;
    }
    const res = await loadP;
    const endMs = performance.now() - t0;
    delete res.raw;
    const after = online(await tool.jlist()).map((p) => p.pid);
    const out = {
      ...res,
      op: sc.op,
      ops,
      // An operation still running when the load stopped: its tail end was not under load.
      late: ops.filter((o) => o.atMs + o.ms > (cfg.windowS + TAIL_S) * 1000).length,
      endMs,
      instancesAfter: after.length,
      replaced: after.filter((p) => !before.includes(p)).length,
    };
    ctx.log(
      `cluster ${sc.id} ${tool.key}: ${sc.op} ×${ops.length} (${ops.map((o) => `${(o.ms / 1000).toFixed(2)} s${o.code ? ` exit ${o.code}` : ''}`).join(', ')}), ${res.requests} requests, ${res.failed} failed (connect ${res.errors.connect}, read ${res.errors.read}, write ${res.errors.write}, timeout ${res.errors.timeout}, non-2xx ${res.non2xx}); ${out.instancesAfter} online after, ${out.replaced} new pids`,
    );
    for (const o of ops) if (o.code) ctx.log(`  ${sc.op} exited ${o.code}: ${o.err}`);
    return out;
  } finally {
    await deleteApp(tool, name);
  }
}

async function reloads(tools, ctx, C, gen) {
  const steward = tools.find((t) => t.key === 'steward');
  const scenarios = [
    { id: 'drain', script: FIX.drain, op: 'reload', count: RELOADS, tools },
    { id: 'hello', script: FIX.hello, op: 'reload', count: RELOADS, tools },
    {
      id: 'python',
      script: FIX.python,
      op: 'reload',
      count: RELOADS,
      tools: steward ? [steward] : [],
      extra: ['--listen', '127.0.0.1:PORT', '--kill-signal', 'SIGTERM'],
    },
    { id: 'restart', script: FIX.drain, op: 'restart', count: RESTARTS, tools },
  ];
  const py = await run('python3', ['--version'], { allowFail: true, timeoutMs: 10_000 }).catch(
    () => undefined,
  );
  if (!py || py.code !== 0 || !existsSync(FIX.python)) {
    C.notes.push('python3 (or examples/python/server.py) not found: the Python row was skipped.');
    scenarios[2].tools = [];
  } else C.python = (py.stdout || py.stderr).trim();
  let i = 0;
  for (const sc of scenarios) {
    C.reload[sc.id] = {};
    for (const t of rotate(sc.tools, i)) {
      // The Python app takes its socket from Steward (fd 3): the port goes in --listen.
      const port = sc.extra ? await freePort() : undefined;
      const extra = (sc.extra ?? []).map((a) => a.replace('PORT', String(port)));
      C.reload[sc.id][t.key] = await underLoad(t, ctx, C, gen, { ...sc, extra, port });
    }
    i += 1;
  }
}

/**
 * The floor of part 3: the harness spawns the SCALE_TO − INSTANCES extra processes itself, at once
 * (`node http-hello.js`, each on a port of its own), and waits until all of them listen.
 */
async function plainSpawn(ctx, dir) {
  const n = SCALE_TO - INSTANCES;
  const wall0 = Date.now();
  const kids = [];
  try {
    for (let i = 0; i < n; i += 1)
      kids.push(
        spawn(process.execPath, [FIX.hello], {
          env: { ...process.env, [RUN_MARK]: ctx.runId, PORT: '0', BENCH_MARK_DIR: dir },
          stdio: 'ignore',
        }),
      );
    await waitFor(() => readdirSync(dir).length >= n, {
      what: `${n} plain node processes listening`,
      timeoutMs: 30_000,
      intervalMs: 10,
    });
    return Math.max(...readdirSync(dir).map((f) => Number(readFileSync(join(dir, f), 'utf8')))) - wall0;
  } finally {
    for (const k of kids) k.kill('SIGKILL');
    await waitFor(() => kids.every((k) => !isAlive(k.pid) || k.exitCode !== null || k.signalCode !== null), {
      what: 'plain node processes to exit',
      timeoutMs: 5000,
    });
  }
}

/** Part 3: `scale <app> 8` from 2 instances; alternating tools (and the plain-spawn floor). */
async function scale(tools, ctx, C) {
  const cfg = ctx.runs.cluster;
  for (const t of tools) C.scale[t.key] = [];
  C.scale.plain = [];
  for (let r = 0; r < cfg.scaleRounds; r += 1) {
    const dir0 = join(ctx.tmp, `scale-plain-${r}`);
    mkdirSync(dir0, { recursive: true });
    const ms = await plainSpawn(ctx, dir0);
    C.scale.plain.push({ listenMs: ms, readyMs: ms });
    ctx.log(
      `cluster scale floor: ${SCALE_TO - INSTANCES} node processes spawned at once, all listening after ${ms.toFixed(0)} ms`,
    );
    for (const t of rotate(tools, r)) {
      const dir = join(ctx.tmp, `scale-${t.key}-${r}`);
      mkdirSync(dir, { recursive: true });
      const port = await freePort();
      const name = 'sc';
      await startApp(t, { name, script: FIX.hello, port, env: { BENCH_MARK_DIR: dir } });
      try {
        const marks = () => readdirSync(dir);
        await waitFor(() => marks().length === INSTANCES, {
          what: `${t.key}: ${INSTANCES} listening markers`,
          timeoutMs: 10_000,
          describe: () => `${marks().length} markers`,
        });
        await sleep(500);
        noteForeign(ctx, C, 'scale');
        const wall0 = Date.now();
        const t0 = performance.now();
        const cmd = await t.cli(['scale', name, String(SCALE_TO), '-s'], { timeoutMs: 90_000 });
        const cmdMs = performance.now() - t0;
        let listMs;
        let last = '';
        await Promise.all([
          waitFor(() => marks().length >= SCALE_TO, {
            what: `${t.key}: ${SCALE_TO} instances listening after scale`,
            timeoutMs: 60_000,
            intervalMs: 10,
            describe: () => `${marks().length} markers`,
          }),
          waitFor(
            async () => {
              const on = online((await t.jlist()).filter((p) => p.name === name));
              last = `${on.length} online`;
              if (on.length !== SCALE_TO) return false;
              const pids = new Set(marks().map(Number));
              if (!on.every((p) => pids.has(p.pid))) {
                last = `${on.length} online, not all of them listening yet`;
                return false;
              }
              listMs = performance.now() - t0;
              return true;
            },
            {
              what: `${t.key}: jlist showing ${SCALE_TO} online, listening instances`,
              timeoutMs: 60_000,
              intervalMs: 0,
              describe: () => last,
            },
          ),
        ]);
        const listenMs = Math.max(...marks().map((f) => Number(readFileSync(join(dir, f), 'utf8')))) - wall0;
        await waitServing(port, `${t.key} after scale`);
        const res = {
          cmdMs,
          listenMs,
          readyMs: Math.max(cmdMs, listenMs),
          listMs,
          cmdOut: tail(cmd.stdout, 2),
        };
        C.scale[t.key].push(res);
        ctx.log(
          `cluster scale ${t.key}: 2 → ${SCALE_TO}: all listening after ${listenMs.toFixed(0)} ms, \`scale\` returned after ${cmdMs.toFixed(0)} ms, jlist showed them online after ${listMs.toFixed(0)} ms`,
        );
      } finally {
        await deleteApp(t, name);
      }
    }
  }
}

export async function cluster(tools, ctx) {
  const C = (ctx.result('cluster').data = {
    throughput: {},
    reload: {},
    scale: {},
    notes: [],
    foreign: {},
    runs: ctx.runs.cluster,
    load: { ...LOAD },
    loadavg: [loadavg()[0].toFixed(2)],
  });
  const t0 = performance.now();
  try {
    const gen = await ensureLoadGen(repo, ctx.log);
    C.gen = gen.version;
    if (gen.note) C.notes.push(gen.note);
    await throughput(tools, ctx, C, gen);
    ctx.log(`cluster: throughput part took ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    await reloads(tools, ctx, C, gen);
    await scale(tools, ctx, C);
  } finally {
    for (const [part, n] of Object.entries(C.foreign))
      C.notes.push(
        `Another HTTP load generator (not this run's) was running during ${n} ${part} measurement(s): it took CPU from the apps measured here, so these numbers are disturbed.`,
      );
    C.elapsedMs = performance.now() - t0;
    C.loadavg.push(loadavg()[0].toFixed(2));
    for (const t of tools) {
      const pid = t.daemonPid();
      if (pid !== undefined && !isAlive(pid))
        C.notes.push(`The ${t.key} daemon died during the cluster case.`);
    }
  }
}
