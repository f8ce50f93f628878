// Benchmark 2: how long after a crash the replacement process runs. The app (fixtures/crasher.js)
// logs "start <t> <pid>" when it runs and "exit <t> <pid>" right before process.exit(1); the gap
// from one exit to the next start is the supervisor's reaction + spawn + Node boot. The same app
// under a ten-line plain-Node respawn loop gives the floor (Node boot + spawn, no bookkeeping).
// Episodes alternate between the three so that background load hits them alike.
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchError, sleep, waitFor } from '../lib/exec.js';
import { isAlive, RUN_MARK } from '../lib/procs.js';
import { median } from '../lib/stats.js';

function parseEvents(file) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => {
      const [kind, t, pid] = l.split(' ');
      return { kind, t: Number(t), pid: Number(pid) };
    });
}

function countStarts(file) {
  return parseEvents(file).filter((e) => e.kind === 'start').length;
}

/** exit(i) → start(i+1) gaps in ms, for consecutive events of different pids. */
export function gaps(file) {
  const ev = parseEvents(file);
  const out = [];
  for (let i = 0; i + 1 < ev.length; i += 1) {
    const a = ev[i];
    const b = ev[i + 1];
    if (a.kind === 'exit' && b.kind === 'start' && a.pid !== b.pid) out.push(b.t - a.t);
  }
  return out;
}

async function waitCycles(file, limit, who) {
  await waitFor(() => countStarts(file) > limit, {
    what: `${who}: ${limit} crash/restart cycles`,
    timeoutMs: 90_000,
    intervalMs: 50,
    describe: () => `${countStarts(file)} starts logged in ${file}`,
  });
}

/** One episode under a process manager: start the app, wait for `cycles` crashes, delete it. */
async function episode(tool, ctx, file, cycles) {
  const env = { BENCH_CRASH_FILE: file, BENCH_CRASH_LIMIT: String(cycles), STEWARD_START_SETTLE_MS: '0' };
  const args = [
    'start',
    ctx.fixtures.crasher,
    '--name',
    'crash',
    '--max-restarts',
    '1000',
    '--restart-delay',
    '0',
  ];
  // Steward's crash-loop guard (50 restarts / 10 min by default) is not in PM2: turn it off.
  if (tool.key === 'steward') args.push('--restart-limit', '0');
  await tool.cli([...args, '-s'], { env });
  try {
    await waitCycles(file, cycles, tool.key);
  } finally {
    await tool.cli(['delete', 'crash', '-s'], { allowFail: true });
  }
}

/** One episode under fixtures/respawn-loop.js (the plain-Node reference). */
async function loopEpisode(ctx, file, cycles) {
  const loop = spawn(process.execPath, [ctx.fixtures.respawnLoop, ctx.fixtures.crasher], {
    env: { ...process.env, [RUN_MARK]: ctx.runId, BENCH_CRASH_FILE: file, BENCH_CRASH_LIMIT: String(cycles) },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => loop.once('exit', resolve));
  try {
    await waitCycles(file, cycles, 'plain loop');
  } finally {
    loop.kill('SIGTERM');
    await Promise.race([exited, sleep(5000)]);
    if (isAlive(loop.pid)) loop.kill('SIGKILL');
  }
}

/**
 * Rounds of episodes, alternating Steward, PM2 and the plain loop (rotating who goes first), until
 * each has `crashCycles` gaps. Results: ctx.result(key).crash = gaps in ms.
 */
export async function crash(tools, ctx) {
  const total = ctx.runs.crashCycles;
  const roundsN = Math.max(1, Math.min(3, Math.floor(total / 5)));
  const per = Math.ceil(total / roundsN);
  const subjects = [...tools.map((t) => ({ key: t.key, tool: t })), { key: 'loop', tool: undefined }];
  for (const s of subjects) ctx.result(s.key).crash = [];
  for (let r = 0; r < roundsN; r += 1) {
    for (let k = 0; k < subjects.length; k += 1) {
      const s = subjects[(k + r) % subjects.length];
      const file = join(ctx.tmp, `crash-${s.key}-${r}.log`);
      writeFileSync(file, '');
      if (s.tool) await episode(s.tool, ctx, file, per);
      else await loopEpisode(ctx, file, per);
      const g = gaps(file);
      if (g.length < per)
        throw new BenchError(`${s.key}: only ${g.length} of ${per} exit→start gaps in ${file}`);
      ctx.result(s.key).crash.push(...g);
    }
  }
  for (const s of subjects) {
    const g = ctx.result(s.key).crash;
    ctx.log(`${s.key}: crash → replacement, ${g.length} cycles, median ${median(g).toFixed(1)} ms`);
  }
}
