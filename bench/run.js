// Steward vs PM2, side by side in one run: see docs/benchmarks.md (which this script rewrites).
//
//   node bench/run.js [--quick] [--only=baseline,fleet,crash,start,logs,cluster,health,monitoring] [--no-docs] [--keep]
//
// --quick: fewer repetitions (smoke test; implies --no-docs). --keep: leave the temp dir.
// Raw samples of the last run go to .bench-tmp/last-run.json.
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem, freemem } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { cluster } from './cases/cluster.js';
import { crash } from './cases/crash.js';
import { fleet, nodeBaseline } from './cases/fleet.js';
import { health } from './cases/health.js';
import { logs } from './cases/logs.js';
import { monitoring } from './cases/monitoring.js';
import { start, START_APPS } from './cases/start.js';
import { BenchError, sleep } from './lib/exec.js';
import { killAll, markedProcesses } from './lib/procs.js';
import { buildRows, markdown, textTable } from './lib/report.js';
import { clusterMarkdown, clusterTextTable } from './lib/report-cluster.js';
import { healthMarkdown, healthTextTable } from './lib/report-health.js';
import { LOGS_MARK, logsMarkdown, logsTextTable } from './lib/report-logs.js';
import { monitoringMarkdown, monitoringTextTable } from './lib/report-monitoring.js';
import { readSections, writeSections } from './lib/sections.js';
import { ensurePm2, interrupt, Pm2, Steward } from './lib/tools.js';

const PM2_VERSION = process.env.BENCH_PM2_VERSION ?? '7.0.4';
const IDLE_APPS = 500;
const repo = join(dirname(fileURLToPath(import.meta.url)), '..');

const argv = process.argv.slice(2);
const flag = (f) => argv.includes(f);
const quick = flag('--quick');
const writeDocs = !flag('--no-docs') && !quick;
const onlyArg = argv.find((a) => a.startsWith('--only='));
// `fleet` includes the node -e 0 baseline; `baseline` alone runs just that.
const PHASES = ['baseline', 'fleet', 'crash', 'start', 'logs', 'cluster', 'health', 'monitoring'];
const only = onlyArg ? onlyArg.slice('--only='.length).split(',') : PHASES;
for (const p of only)
  if (!PHASES.includes(p)) fail(`unknown phase in --only: ${p} (known: ${PHASES.join(', ')})`);
for (const a of argv) {
  if (!['--quick', '--no-docs', '--keep'].includes(a) && !a.startsWith('--only='))
    fail(`unknown option ${a}`);
}

const runs = quick
  ? {
      ls20: { warm: 1, n: 3 },
      ls500: { warm: 1, n: 2 },
      del200: 1,
      crashCycles: 8,
      start: 1,
      logs: { throughput: { warm: 0, n: 1 }, tail: { warm: 1, n: 2 }, bigBytes: 200e6, bigCapMs: 60_000 },
      cluster: { throughputS: 2, rounds: 2, warmS: 1, windowS: 8, scaleRounds: 1 },
      health: { leakCycles: 1, capS: 12, windowS: 10 },
      monitoring: {
        apps: 20,
        settleS: 3,
        idleS: 10,
        lookS: 10,
        monitWarmS: 2,
        monitS: 8,
        http: {
          settleS: 3,
          warmS: 1,
          runS: 3,
          rounds: 2,
          togetherRounds: 3,
          togetherS: 2,
          pairRounds: 4,
          pairS: 2,
          pairWarmS: 1,
        },
        instr: { warm: 2000, n: 3000 },
      },
    }
  : {
      ls20: { warm: 2, n: 30 },
      ls500: { warm: 1, n: 7 },
      del200: 3,
      crashCycles: 30,
      start: 3,
      logs: { throughput: { warm: 1, n: 5 }, tail: { warm: 2, n: 11 }, bigBytes: 1e9, bigCapMs: 60_000 },
      cluster: { throughputS: 2, rounds: 5, warmS: 1, windowS: 15, scaleRounds: 3 },
      health: { leakCycles: 3, capS: 35, windowS: 30 },
      monitoring: {
        apps: 50,
        settleS: 5,
        idleS: 60,
        lookS: 60,
        monitWarmS: 3,
        monitS: 30,
        http: {
          settleS: 3,
          warmS: 1,
          runS: 8,
          rounds: 4,
          togetherRounds: 12,
          togetherS: 4,
          pairRounds: 36,
          pairS: 3,
          pairWarmS: 2,
        },
        instr: { warm: 10_000, n: 20_000 },
      },
    };

function fail(msg) {
  process.stderr.write(`[bench] error: ${msg}\n`);
  process.exit(2);
}

const t0 = performance.now();
const log = (msg) =>
  process.stdout.write(`[bench ${((performance.now() - t0) / 1000).toFixed(0).padStart(3)}s] ${msg}\n`);

function preflight() {
  if (process.platform !== 'linux') fail('the benchmarks read /proc: Linux only');
  if (!existsSync(join(repo, 'dist/cli/main.cjs'))) {
    fail('Steward is not built: run `npm run bench` (builds first) or `npm run build`');
  }
  // 500 sleep apps (~1 MB) + 20 Node apps (~45 MB) + two daemons + CLIs: about 2 GB at the peak.
  const freeGb = freemem() / 1024 ** 3;
  if (freeGb < 3) fail(`only ${freeGb.toFixed(1)} GB of memory free; the suite needs about 3 GB`);
  const sleepBin = ['/usr/bin/sleep', '/bin/sleep'].find((p) => existsSync(p));
  if (!sleepBin) fail('no sleep binary in /usr/bin or /bin');
  return sleepBin;
}

/** Gives a busy machine up to a minute to calm down (1-min load average ≤ half the CPUs). */
async function waitQuiet() {
  const limit = Math.max(1, availableParallelism() / 2);
  const deadline = performance.now() + 60_000;
  let said = false;
  while (loadavg()[0] > limit && performance.now() < deadline) {
    if (!said)
      log(`load average ${loadavg()[0].toFixed(2)} > ${limit}: waiting up to 60 s for a quieter machine`);
    said = true;
    await sleep(5000);
  }
  if (said) log(`load average now ${loadavg()[0].toFixed(2)}, starting`);
}

function gitDescribe() {
  try {
    const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], {
      cwd: repo,
      encoding: 'utf8',
    }).trim();
    return `${sha}${dirty ? ' + uncommitted src changes' : ''}`;
  } catch {
    return 'unknown commit';
  }
}

/** The temp layout: homes, idle-app symlinks, marker apps, marker dir. */
function prepareTmp(sleepBin) {
  const tmp = mkdtempSync(join(tmpdir(), 'sbench-'));
  const bin = join(tmp, 'bin');
  mkdirSync(bin);
  const idle = [];
  for (let i = 0; i < IDLE_APPS; i += 1) {
    const p = join(bin, `s${i}`);
    symlinkSync(sleepBin, p);
    idle.push(p);
  }
  const apps = join(tmp, 'apps');
  mkdirSync(apps);
  writeFileSync(join(apps, 'package.json'), '{ "type": "module" }\n');
  const markerApps = [];
  for (let i = 0; i < START_APPS; i += 1) {
    const p = join(apps, `m${i}.js`);
    copyFileSync(join(repo, 'bench/fixtures/marker.js'), p);
    markerApps.push(p);
  }
  for (const d of ['work', 'steward-home', 'pm2-home']) mkdirSync(join(tmp, d));
  return { tmp, idle, markerApps, markDir: join(tmp, 'marks') };
}

async function main() {
  const sleepBin = preflight();
  const runId = `${process.pid}-${Date.now()}`;
  const prefix = join(repo, '.bench-tmp/pm2');
  mkdirSync(prefix, { recursive: true });
  await ensurePm2(prefix, PM2_VERSION, log);

  const layout = prepareTmp(sleepBin);
  const { tmp } = layout;
  const cwd = join(tmp, 'work');
  const steward = new Steward({ repo, home: join(tmp, 'steward-home'), runId, cwd });
  const pm2 = new Pm2({ prefix, home: join(tmp, 'pm2-home'), runId, cwd, version: PM2_VERSION });
  const R = {};
  const errors = [];
  let leftovers = [];
  const load = [loadavg()[0].toFixed(2)];
  const logsLoad = [];
  const ctx = {
    ...layout,
    runId,
    runs,
    log,
    fixtures: {
      crasher: join(repo, 'bench/fixtures/crasher.js'),
      respawnLoop: join(repo, 'bench/fixtures/respawn-loop.js'),
    },
    result: (key) => (R[key] ??= {}),
  };
  // The commit under test, taken now: the tree may move while the suite runs.
  const stewardRev = `${steward.version} (${gitDescribe()})`;
  log(`run ${runId}, Steward ${stewardRev}, temp dir ${tmp}${quick ? ' (quick mode)' : ''}`);
  if (!quick) await waitQuiet();

  const phase = async (name, fn) => {
    try {
      await fn();
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      errors.push({ phase: name, message, details: e instanceof BenchError ? e.details : e?.stack });
      log(`FAILED ${name}: ${message}${e instanceof BenchError && e.details ? `\n${e.details}` : ''}`);
      return false;
    }
    return true;
  };

  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    for (const t of [steward, pm2]) {
      await phase(`${t.key} kill`, () => t.kill());
    }
    // A process may still be on its way out right after `kill` returned: look twice.
    leftovers = markedProcesses(runId);
    if (leftovers.length > 0) {
      await sleep(2000);
      leftovers = markedProcesses(runId);
    }
    if (leftovers.length > 0) {
      log(`${leftovers.length} process(es) of this run still alive after both kills; killing them:`);
      for (const l of leftovers) log(`  ${l.pid} ${l.cmd}`);
      killAll(leftovers);
    }
    if (!flag('--keep')) rmSync(tmp, { recursive: true, force: true });
  };
  const onSignal = (sig) => {
    interrupt.requested = true;
    log(`${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const tools = [steward, pm2];
  const reset = async () => {
    for (const t of tools) {
      await t.cli(['delete', 'all', '-s'], { allowFail: true, timeoutMs: 180_000 }).catch(() => undefined);
    }
  };
  const afterPhase = () => load.push(loadavg()[0].toFixed(2));
  try {
    if (only.includes('fleet')) {
      if (!(await phase('ls / RSS / delete all', () => fleet(tools, ctx)))) await reset();
      afterPhase();
    } else if (only.includes('baseline')) {
      await phase('node -e 0', async () => {
        ctx.result('node').baseline = await nodeBaseline(ctx);
      });
    }
    if (only.includes('crash')) {
      if (!(await phase('crash → replacement', () => crash(tools, ctx)))) await reset();
      afterPhase();
    }
    if (only.includes('start')) {
      if (!(await phase('start 20 apps', () => start(tools, ctx)))) await reset();
      afterPhase();
    }
    if (only.includes('logs')) {
      logsLoad.push(loadavg()[0].toFixed(2));
      if (!(await phase('logs', () => logs(tools, ctx)))) await reset();
      afterPhase();
      logsLoad.push(loadavg()[0].toFixed(2));
    }
    if (only.includes('cluster')) {
      if (!(await phase('cluster', () => cluster(tools, ctx)))) await reset();
      afterPhase();
    }
    if (only.includes('health')) {
      if (!(await phase('health', () => health(tools, ctx)))) await reset();
      afterPhase();
    }
    if (only.includes('monitoring')) {
      if (!(await phase('monitoring', () => monitoring(tools, ctx)))) await reset();
      afterPhase();
    }
  } finally {
    await cleanup();
  }

  const rows = buildRows(R);
  const ranCore = only.some((p) => !['logs', 'cluster', 'health', 'monitoring'].includes(p));
  if (ranCore) process.stdout.write(`\n${textTable(rows)}\n\n`);
  const logsData = R.logs?.data;
  if (logsData) process.stdout.write(`\nLogs\n\n${logsTextTable(logsData)}\n\n`);
  if (R.cluster?.data) process.stdout.write(`\nCluster mode\n\n${clusterTextTable(R.cluster.data)}\n\n`);
  if (R.health?.data) process.stdout.write(`\nHealth\n\n${healthTextTable(R.health.data)}\n\n`);
  if (R.monitoring?.data)
    process.stdout.write(`\nMonitoring\n\n${monitoringTextTable(R.monitoring.data)}\n\n`);
  const facts = {
    date: new Date().toISOString(),
    node: process.version,
    nproc: availableParallelism(),
    cpu: cpus()[0]?.model ?? 'unknown',
    memGb: (totalmem() / 1024 ** 3).toFixed(1),
    kernel: release(),
    steward: stewardRev,
    pm2: PM2_VERSION,
    load,
  };
  const elapsedMs = performance.now() - t0;
  if (errors.length > 0) {
    log(`${errors.length} problem(s):`);
    for (const e of errors) log(`  ${e.phase}: ${e.message}`);
  }
  // The cluster and health sections (lib/sections.js): set aside now, put back after the rest.
  const docsFile = join(repo, 'docs/benchmarks.md');
  const keptSections = writeDocs ? readSections(docsFile) : {};
  if (writeDocs) {
    // The file has two parts: the main one (every case but logs) and, from LOGS_MARK on, the Logs
    // section. A run rewrites the part(s) of the cases it ran and keeps the other as it was.
    const out = join(repo, 'docs/benchmarks.md');
    mkdirSync(dirname(out), { recursive: true });
    const prev = existsSync(out) ? readFileSync(out, 'utf8') : '';
    const at = prev.indexOf(LOGS_MARK);
    // The Logs section runs to the next section marker (lib/sections.js) or the end.
    const next = at >= 0 ? prev.indexOf('<!-- bench:', at + LOGS_MARK.length) : -1;
    const prevMain = at >= 0 ? `${prev.slice(0, at)}${next >= 0 ? prev.slice(next) : ''}` : prev;
    const prevLogs = at >= 0 ? prev.slice(at, next >= 0 ? next : prev.length) : '';
    const ranLogs = only.includes('logs');
    const isLogs = (e) => e.phase === 'logs';
    // Errors and leftovers go with the part that is rewritten (the logs part when it is the only one).
    const main =
      ranCore || prevMain.trim() === ''
        ? markdown({
            rows,
            R,
            facts,
            errors: ranLogs ? errors.filter((e) => !isLogs(e)) : errors,
            leftovers,
            runs,
            elapsedMs,
          })
        : prevMain;
    const logsPart =
      ranLogs && logsData
        ? logsMarkdown({
            L: logsData,
            facts,
            load: logsLoad,
            errors: ranCore ? errors.filter(isLogs) : errors,
            leftovers: ranCore ? [] : leftovers,
          })
        : prevLogs;
    writeFileSync(out, `${main.trimEnd()}\n${logsPart ? `\n${logsPart.trimEnd()}\n` : ''}`);
    if (ranCore || ranLogs) log(`wrote ${out}${ranCore ? '' : ' (Logs section; the rest kept as it was)'}`);
  }
  if (writeDocs) {
    const alone = only.every((p) => ['cluster', 'health', 'monitoring'].includes(p));
    const args = (phase) => ({
      facts,
      errors: errors.filter((e) => e.phase === phase),
      leftovers: alone ? leftovers : [],
    });
    const fresh = {
      cluster: R.cluster?.data ? clusterMarkdown({ C: R.cluster.data, ...args('cluster') }) : undefined,
      health: R.health?.data ? healthMarkdown({ H: R.health.data, ...args('health') }) : undefined,
      monitoring: R.monitoring?.data
        ? monitoringMarkdown({ M: R.monitoring.data, ...args('monitoring') })
        : undefined,
    };
    writeSections(docsFile, keptSections, fresh);
    const wrote = Object.keys(fresh).filter((k) => fresh[k]);
    if (wrote.length > 0) log(`wrote the ${wrote.join(' and ')} section(s) of ${docsFile}`);
  }
  // Raw samples of the last run, for a closer look (git-ignored).
  writeFileSync(
    join(repo, '.bench-tmp/last-run.json'),
    JSON.stringify({ R, facts, errors, leftovers }, null, 1),
  );
  log(`done in ${(elapsedMs / 1000).toFixed(0)} s`);
  process.exitCode = errors.length > 0 || leftovers.length > 0 ? 1 : 0;
}

main().catch((e) => {
  process.stderr.write(`[bench] error: ${e instanceof Error ? e.message : String(e)}\n`);
  if (e instanceof BenchError && e.details) process.stderr.write(`${e.details}\n`);
  process.exitCode = 1;
});
