// The "Health" section of docs/benchmarks.md (bench/cases/health.js): memory limit and watch.
// Starts at SECTION_MARKS.health (see lib/sections.js).
import { LEAK_MB_S, LIMIT_MB, TREE } from '../cases/health.js';
import { thousands } from './report-cluster.js';
import { markdownTable, problemLines, textTable } from './report.js';
import { SECTION_MARKS } from './sections.js';
import { fmtMs, fmtRatio } from './stats.js';

const mb = (v) => (Number.isFinite(v) ? `${v.toFixed(1)} MB` : 'n/a');
const mb0 = (v) => (Number.isFinite(v) ? `${thousands(v)} MB` : 'n/a');
const cpuPct = (v) => (Number.isFinite(v) ? `${v.toFixed(2)} %` : 'n/a');
const secs = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'n/a');
const files = () => thousands(TREE.dirs * TREE.files);

/** Highest RSS before the (first) restart, and the text for the table. */
function leakCell(r) {
  if (!r) return { v: NaN, text: 'n/a' };
  if (r.cycles.length === 0) {
    const n = r.notRestarted ?? {};
    return {
      v: n.max,
      text: `**not restarted within ${r.capS} s** (RSS reached ${mb0(n.max)})`,
      restarted: false,
    };
  }
  const max = Math.max(...r.cycles.map((c) => c.max));
  const each = r.cycles.map((c) => `${mb0(c.max)} after ${secs(c.lifeMs)}`).join(', ');
  return {
    v: max,
    text: `${mb0(max)} (${r.cycles.length} restart${r.cycles.length > 1 ? 's' : ''}: ${each})`,
    restarted: true,
  };
}

export function healthRows(H) {
  const rows = [];
  const L = H.leak ?? {};
  if (L.steward || L.pm2) {
    const s = leakCell(L.steward);
    const p = leakCell(L.pm2);
    rows.push({
      label: `\`max_memory_restart: ${LIMIT_MB}M\`, app leaking ${LEAK_MB_S} MB/s: highest RSS before it was restarted`,
      sText: s.text,
      pText: p.text,
      ratio: s.v / p.v,
      ratioText: `${fmtRatio(s.v / p.v)}${p.restarted === false ? ' (PM2: at the cap)' : ''}`,
      ref: `limit ${LIMIT_MB} MB; every second of delay is ${LEAK_MB_S} MB more. PM2 checks every 30 s (from its daemon's start): where the app's start falls in that cycle decides, up to ≈ ${thousands(LIMIT_MB + 30 * LEAK_MB_S)} MB`,
      target: '< 300 MB',
      met: Number.isFinite(s.v) && s.restarted ? s.v < 300 : s.restarted === false ? false : undefined,
    });
  }
  const W = H.watch ?? {};
  const on = (k) => W[k]?.on;
  const off = (k) => W[k]?.off;
  if (on('steward') || on('pm2')) {
    const dc = (k) => on(k)?.cpuPct - off(k)?.cpuPct;
    const dr = (k) => on(k)?.rss - off(k)?.rss;
    const both = (k, f, g) => `${g(f(off(k)))} → ${g(f(on(k)))}`;
    rows.push({
      label: `watch, ${files()} files: extra idle daemon CPU (watch on − off, ${H.runs?.windowS ?? 30} s window)`,
      s: dc('steward'),
      p: dc('pm2'),
      ratio: dc('steward') / dc('pm2'),
      // A few 10 ms clock ticks over the window are noise: no ratio of two such numbers.
      ratioText: Math.abs(dc('pm2')) < 0.1 ? '— (PM2 within noise)' : fmtRatio(dc('steward') / dc('pm2')),
      fmt: cpuPct,
      ref: `off → on: Steward ${both('steward', (r) => r?.cpuPct, cpuPct)}, PM2 ${both('pm2', (r) => r?.cpuPct, cpuPct)}`,
      target: '< 1 %',
      met: Number.isFinite(dc('steward')) ? dc('steward') < 1 : undefined,
    });
    rows.push({
      label: `watch, ${files()} files: extra daemon RSS (watch on − off)`,
      s: dr('steward'),
      p: dr('pm2'),
      ratio: dr('steward') / dr('pm2'),
      unit: 'MB',
      fmt: mb,
      ref: `off → on: Steward ${both('steward', (r) => r?.rss, mb)}, PM2 ${both('pm2', (r) => r?.rss, mb)}`,
      target: '< 30 MB',
      met: Number.isFinite(dr('steward')) ? dr('steward') < 30 : undefined,
    });
    const scan = (k) => {
      const r = on(k);
      return r ? `${secs(r.scanMs)} · ${r.scanCpu.toFixed(2)} s CPU · peak RSS ${mb(r.peakRss)}` : 'n/a';
    };
    rows.push({
      label: `watch, ${files()} files: start → first quiet second (initial scan) · daemon CPU · peak RSS`,
      sText: scan('steward'),
      pText: scan('pm2'),
      ratio: on('steward')?.scanCpu / on('pm2')?.scanCpu,
      ratioText: `${fmtRatio(on('steward')?.scanCpu / on('pm2')?.scanCpu)} (CPU)`,
      ref: 'one-time cost, for reference',
    });
    rows.push({
      label: `watch, ${files()} files: inotify watches held by the daemon (after \`delete\`)`,
      sText: `${thousands(on('steward')?.watches)} (${thousands(on('steward')?.watchesAfterDelete)})`,
      pText: `${thousands(on('pm2')?.watches)} (${thousands(on('pm2')?.watchesAfterDelete)})`,
      ratioText: '—',
      ref: `the tree has ${TREE.dirs + 1} directories`,
    });
  }
  return rows;
}

export const healthTextTable = (H) => textTable(healthRows(H));

function detail(H) {
  const out = [];
  const who = { steward: 'Steward', pm2: 'PM2' };
  const L = H.leak ?? {};
  if (Object.keys(L).length > 0) {
    out.push(
      'Memory-limit runs (one process per line; the last process of each run was deleted by the harness, not restarted):',
      '',
      '| Who | process | highest RSS | lived | time above the limit |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const [k, r] of Object.entries(L)) {
      r.cycles.forEach((c, i) =>
        out.push(
          `| ${who[k] ?? k} | ${i + 1} (restarted) | ${mb(c.max)} | ${secs(c.lifeMs)} | ${secs(c.overMs)} |`,
        ),
      );
      if (r.notRestarted)
        out.push(
          `| ${who[k] ?? k} | 1 (**not restarted**, deleted at the ${r.capS} s cap) | ${mb(r.notRestarted.max)} | ${secs(r.notRestarted.lifeMs)} | — |`,
        );
    }
    out.push('');
  }
  const W = H.watch ?? {};
  if (Object.keys(W).length > 0) {
    out.push(
      `Idle runs (Steward and PM2 without watch at the same time, then PM2 with watch, then Steward with watch; tree of ${files()} files made in ${fmtMs(H.treeMs)}):`,
      '',
      '| Who | watch | start → first quiet second (CPU) | scan garbage collected at | settled after (CPU, peak RSS) | window CPU | idle CPU | seconds > 20 ms CPU in the window | RSS median (max) | RSS before start | inotify watches (after delete) |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const [k, byMode] of Object.entries(W))
      for (const [mode, r] of Object.entries(byMode))
        out.push(
          `| ${who[k] ?? k} | ${mode} | ${secs(r.scanMs)} (${r.scanCpu.toFixed(2)} s) | ${mode === 'on' ? (Number.isFinite(r.gcMs) ? secs(r.gcMs) : '**not seen**') : '—'} | ${r.settled ? '' : '**not settled** '}${secs(r.settleMs)} (${r.settleCpu.toFixed(2)} s, ${mb(r.peakRss)}) | ${r.cpuS.toFixed(2)} s in ${r.windowS.toFixed(0)} s | ${cpuPct(r.cpuPct)} | ${(r.bursts ?? []).map(([sec, ms]) => `${sec}: ${ms} ms`).join(', ') || 'none'} | ${mb(r.rss)} (${mb(r.rssMax)}) | ${mb(r.rssBefore)} | ${thousands(r.watches)} (${thousands(r.watchesAfterDelete)}) |`,
        );
  }
  return out.join('\n');
}

export function healthMarkdown({ H, facts, errors, leftovers }) {
  const rows = healthRows(H);
  const problems = problemLines(errors, leftovers);
  const notes = (H.notes ?? []).map((n) => `- ${n}`);
  const r = H.runs ?? {};
  return `${SECTION_MARKS.health}

## Health: memory limit and watch

Generated by \`node bench/run.js --only=health\` (bench/cases/health.js; also part of
\`npm run bench\`). Fork mode, one app, both daemons side by side. The targets are Steward's goals;
the suite only reports them.

- Run: ${facts.date} · Steward ${facts.steward} · PM2 ${facts.pm2} · Node ${facts.node} · nproc ${facts.nproc} · ${facts.memGb} GB
- Load average (1 min) before → after the health case: ${(H.loadavg ?? []).join(' → ') || 'n/a'} · the case took ${Number.isFinite(H.elapsedMs) ? (H.elapsedMs / 1000).toFixed(0) : 'n/a'} s

${markdownTable(rows)}

${problems.length > 0 ? `### Problems seen in this run (health)\n\n${problems.join('\n')}\n\n` : ''}${notes.length > 0 ? `### Notes (health)\n\n${notes.join('\n')}\n\n` : ''}### What each row measures (health)

- **Memory limit**: bench/fixtures/leak.js keeps ${LEAK_MB_S} MB/s of filled Buffers (written pages, so
  they are resident) and appends its own RSS (\`process.memoryUsage.rss()\`, MiB) to a file every
  100 ms; no shutdown code. Both tools start it from the same ecosystem file, \`{ name: 'leak',
  script, max_memory_restart: '${LIMIT_MB}M', env }\`, with their defaults otherwise (Steward checks
  the process tree every \`memory_check_interval\`, 1 s; PM2 checks every 30 s,
  \`PM2_WORKER_INTERVAL\`, on a timer that runs from its daemon's start, so one run shows
  where this start fell in that cycle: anything from a few seconds to 30 s). The row gives the highest RSS a process wrote before a new pid appeared
  (the true peak may be up to 100 ms × ${LEAK_MB_S} MB/s = ${LEAK_MB_S / 10} MB higher). Steward: until
  ${r.leakCycles ?? 'n/a'} restarts; PM2: until its first restart or ${r.capS ?? 'n/a'} s, whichever
  comes first (then "not restarted", with the RSS it reached).
- **Watch**: an idle app (bench/fixtures/idle.js copied to \`app.js\`) in a tree of ${TREE.dirs}
  directories × ${thousands(TREE.files)} small files, started from an ecosystem file with \`cwd\` the
  tree and \`watch: false\` (both tools at the same time), then (after \`delete\`) \`watch: true\`
  (one tool after the other, so that the initial scans do not compete). The clock and the daemon's CPU
  count (utime + stime of \`/proc/<daemon pid>/stat\`, 10 ms resolution; Steward:
  \`$STEWARD_HOME/daemon.pid\`, PM2: \`$PM2_HOME/pm2.pid\`) start right before \`start\`. The daemon
  is *settled* once it has used at most one clock tick per second for 3 s in a row — and, with watch
  on, once the garbage of the initial scan has been collected (seen as VmRSS falling below 80 % of
  its peak; V8 does it some 10–40 s after the scan, when the process has been idle for a while; the
  harness waits for it up to 45 s after \`start\`). Without that wait the collection (~0.4 s of CPU)
  would fall in the window or not by chance, and the RSS be read before or after it. Then
  a ${r.windowS ?? 30} s window: idle CPU = daemon CPU seconds ÷ window (one 10 ms tick in
  ${r.windowS ?? 30} s is ${(1 / (r.windowS ?? 30)).toFixed(2)} %, so ± that much is noise); RSS = median of VmRSS read
  every second. *Extra* = watch on − watch off, same daemon. The initial-scan row (start → first
  quiet second, CPU and peak RSS until settled) is a one-time cost, for reference. inotify watches:
  \`inotify wd:\` lines in \`/proc/<daemon pid>/fdinfo/*\` at the end of the window, and after the
  app was deleted.

### How to run (health)

\`\`\`sh
node bench/run.js --only=health            # ≈ 4 minutes; rewrites this section only
node bench/run.js --only=health --quick    # shorter runs, does not rewrite this file
\`\`\`

### All samples (health)

${detail(H)}
`;
}
