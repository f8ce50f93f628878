// Turns raw samples into the results table (console and markdown) and writes docs/benchmarks.md.
import { STEADY_MS } from '../cases/fleet.js';
import { fmtMb, fmtMs, fmtRatio, median, summarize } from './stats.js';

const med = (xs) => (Array.isArray(xs) && xs.length > 0 ? median(xs) : NaN);

/** The rows of the main table: medians, the Steward ÷ PM2 ratio, and the target for Steward. */
export function buildRows(R) {
  const S = R.steward ?? {};
  const P = R.pm2 ?? {};
  const node = med(R.node?.baseline);
  const rows = [];
  const add = (row) => rows.push({ ratio: row.s / row.p, ...row });

  const ls20 = med(S.ls20);
  add({
    label: '`ls`, 20 apps (daemon up)',
    s: ls20,
    p: med(P.ls20),
    unit: 'ms',
    ref: `\`node -e 0\`: ${fmtMs(node)}`,
    target: '≤ 1.15× `node -e 0`',
    actual: `${fmtRatio(ls20 / node)} node`,
    met: Number.isFinite(ls20 / node) ? ls20 / node <= 1.15 : undefined,
  });
  const ls500 = med(S.ls500);
  add({
    label: '`ls`, 500 apps',
    s: ls500,
    p: med(P.ls500),
    unit: 'ms',
    target: '≤ 150 ms',
    met: Number.isFinite(ls500) ? ls500 <= 150 : undefined,
  });
  const crashS = med(S.crash);
  const loop = med(R.loop?.crash);
  add({
    label: 'crash → replacement running (restart_delay 0)',
    s: crashS,
    p: med(P.crash),
    unit: 'ms',
    ref: `plain Node respawn loop: ${fmtMs(loop)}`,
    target: '≤ plain loop + 5 ms',
    actual: `+${fmtMs(crashS - loop)}`,
    met: Number.isFinite(crashS - loop) ? crashS - loop <= 5 : undefined,
  });
  add({ label: 'daemon RSS, no apps', s: S.rss0, p: P.rss0, unit: 'MB' });
  add({
    label: 'daemon RSS, 20 apps',
    s: S.rss20,
    p: P.rss20,
    unit: 'MB',
    target: '≤ 45 MB',
    met: Number.isFinite(S.rss20) ? S.rss20 <= 45 : undefined,
  });
  add({
    label: 'daemon RSS, 200 apps',
    s: S.rss200,
    p: P.rss200,
    unit: 'MB',
    target: '≤ 60 MB',
    met: Number.isFinite(S.rss200) ? S.rss200 <= 60 : undefined,
  });
  add({ label: 'daemon RSS, 500 apps (extra)', s: S.rss500, p: P.rss500, unit: 'MB' });
  // Private memory (RssAnon): what the daemon itself holds, without the node binary's shared pages.
  const privateRow = (apps, when, key, limit) =>
    add({
      label: `daemon private memory (RssAnon), ${apps} apps, ${when}`,
      s: S[key],
      p: P[key],
      unit: 'MB',
      ...(limit
        ? { target: `≤ ${limit} MB`, met: Number.isFinite(S[key]) ? S[key] <= limit : undefined }
        : {}),
    });
  privateRow(0, '1 s after start', 'anon0');
  privateRow(20, '1 s after the last command', 'anon20', 12);
  privateRow(20, `idle ${STEADY_MS / 1000} s`, 'anon20steady', 12);
  privateRow(200, '1 s after the last command', 'anon200', 20);
  privateRow(200, `idle ${STEADY_MS / 1000} s`, 'anon200steady', 20);
  privateRow(500, '1 s after the last command (extra)', 'anon500');

  const st = S.start ?? {};
  const pt = P.start ?? {};
  const plainSpawn = med(R.loop?.start?.spawn?.allRan);
  // Issue 21 asks ≤ ½ of PM2 for the 20 commands with the default check; the other rows keep the
  // first brief's ⅓. `floor`: each command is a Node start (the CLI) followed by the app's own Node
  // start up to its first event-loop turn (the check's proof), so 20 × 2 × `node -e 0` is about
  // the least that 20 checked commands can take on this machine.
  const startRow = (label, sv, pv, pHow, { ratio = 1 / 3, floor = false } = {}) => {
    const s = med(sv?.allRan);
    const p = med(pv?.allRan);
    const floorRef = floor && Number.isFinite(node) ? `; floor 20 × 2 × node -e 0: ${fmtMs(40 * node)}` : '';
    add({
      label,
      s,
      p,
      unit: 'ms',
      ref: `PM2: ${pHow}; plain spawn: ${fmtMs(plainSpawn)}${floorRef}`,
      target: ratio === 0.5 ? '≤ ½ of PM2' : '≤ ⅓ of PM2',
      met: Number.isFinite(s / p) ? s / p <= ratio : undefined,
    });
  };
  startRow(
    'start 20 apps until all ran: 20 commands, settle 300 ms (default)',
    st.perApp,
    pt.perApp,
    '20 commands',
    { ratio: 0.5, floor: true },
  );
  startRow(
    'start 20 apps until all ran: 20 commands, STEWARD_START_SETTLE_MS=0',
    st.perApp0,
    pt.perApp,
    '20 commands',
  );
  startRow(
    'start 20 apps until all ran: one ecosystem file, settle 300 ms (default)',
    st.eco,
    pt.eco,
    'one ecosystem file',
  );
  startRow(
    'start 20 apps until all ran: one ecosystem file, STEWARD_START_SETTLE_MS=0',
    st.eco0,
    pt.eco,
    'one ecosystem file',
  );

  const d200s = med(S.del200);
  const d200p = med(P.del200);
  add({
    label: '`delete all`, 200 apps',
    s: d200s,
    p: d200p,
    unit: 'ms',
    target: '≤ ¼ of PM2',
    met: Number.isFinite(d200s / d200p) ? d200s / d200p <= 0.25 : undefined,
  });
  add({ label: '`delete all`, 500 apps (extra, 1 run)', s: med(S.del500), p: med(P.del500), unit: 'ms' });
  // Phases left out with --only leave rows without any number: drop those.
  return rows.filter((r) => Number.isFinite(r.s) || Number.isFinite(r.p));
}

function cells(row) {
  const f = row.fmt ?? (row.unit === 'MB' ? fmtMb : fmtMs);
  const met = row.met === undefined ? (row.target ? 'n/a' : '') : row.met ? 'yes' : '**no**';
  const target = row.target ? `${row.target}${row.actual ? ` (${row.actual})` : ''}` : '—';
  // Rows may bring their own text (`sText`, `pText`, `ratioText`) where one number is not enough.
  return [
    row.label,
    row.sText ?? f(row.s),
    row.pText ?? f(row.p),
    row.ratioText ?? fmtRatio(row.ratio),
    row.ref ?? '',
    target,
    met,
  ];
}

const HEAD = ['Benchmark', 'Steward', 'PM2', 'Steward ÷ PM2', 'Reference', 'Target (Steward)', 'Met'];

export function markdownTable(rows) {
  const line = (c) => `| ${c.join(' | ')} |`;
  return [line(HEAD), line(HEAD.map(() => '---')), ...rows.map((r) => line(cells(r)))].join('\n');
}

/** Plain-text table for the terminal (markdown emphasis and backticks removed). */
export function textTable(rows) {
  const strip = (s) => s.replace(/\*\*|`/g, '');
  const all = [HEAD, ...rows.map((r) => cells(r).map(strip))];
  const width = HEAD.map((_, i) => Math.max(...all.map((r) => [...r[i]].length)));
  const pad = (s, w) => s + ' '.repeat(Math.max(0, w - [...s].length));
  const fmt = (r) => r.map((c, i) => pad(c, width[i])).join('  ');
  return [fmt(all[0]), width.map((w) => '─'.repeat(w)).join('  '), ...all.slice(1).map(fmt)].join('\n');
}

const START_LABELS = {
  'steward.perApp': '20 commands, settle 300 ms',
  'steward.perApp0': '20 commands, settle 0',
  'steward.eco': 'ecosystem file, settle 300 ms',
  'steward.eco0': 'ecosystem file, settle 0',
  'pm2.perApp': '20 commands',
  'pm2.eco': 'ecosystem file',
};

/** Every sample series: median, min, p90, max, n. */
function detailRows(R) {
  const series = [];
  const push = (name, who, xs, unit = 'ms') => {
    if (Array.isArray(xs) && xs.length > 0) series.push({ name, who, unit, ...summarize(xs) });
  };
  push('`node -e 0`', 'node', R.node?.baseline);
  for (const [key, who] of [
    ['steward', 'Steward'],
    ['pm2', 'PM2'],
  ]) {
    const T = R[key] ?? {};
    push('`ls`, 20 apps', who, T.ls20);
    push('`ls`, 500 apps', who, T.ls500);
    push('crash → replacement', who, T.crash);
    for (const [id, v] of Object.entries(T.start ?? {})) {
      const how = START_LABELS[`${key}.${id}`] ?? id;
      push(`start 20, ${how}: all ran`, who, v.allRan);
      push(`start 20, ${how}: last command returned`, who, v.cli);
    }
    push('`delete all`, 200 apps', who, T.del200);
    push('`delete all`, 500 apps', who, T.del500);
  }
  push('crash → replacement', 'plain Node loop', R.loop?.crash);
  push('start 20, all spawned at once by the harness: all ran', 'plain Node', R.loop?.start?.spawn?.allRan);
  const f = (v) => fmtMs(v);
  const head =
    '| Series | Tool | median | min | p90 | max | n |\n| --- | --- | --- | --- | --- | --- | --- |';
  return [
    head,
    ...series.map(
      (s) => `| ${s.name} | ${s.who} | ${f(s.median)} | ${f(s.min)} | ${f(s.p90)} | ${f(s.max)} | ${s.n} |`,
    ),
  ].join('\n');
}

/** The "problems seen in this run" list of every report: failed phases and processes left behind. */
export function problemLines(errors, leftovers) {
  return [
    ...errors.map(
      (e) =>
        `- **${e.phase}** failed: ${e.message}${e.details ? `\n\n  \`\`\`\n  ${String(e.details).replace(/\n/g, '\n  ')}\n  \`\`\`` : ''}`,
    ),
    ...leftovers.map(
      (l) => `- left behind after \`kill\`: pid ${l.pid} \`${l.cmd}\` (killed by the harness)`,
    ),
  ];
}

export function markdown({ rows, R, facts, errors, leftovers, runs, elapsedMs }) {
  const factLines = [
    `- Date: ${facts.date}`,
    `- Node: ${facts.node} · nproc: ${facts.nproc} · CPU: ${facts.cpu}`,
    `- Memory: ${facts.memGb} GB total · kernel: ${facts.kernel}`,
    `- Steward: ${facts.steward} · PM2: ${facts.pm2} (npm, own \`PM2_HOME\`, \`PM2_DISABLE_VERSION_CHECK=true\`)`,
    `- Load average (1 min) at start and after each phase: ${facts.load.join(' → ')}`,
    `- Whole run: ${(elapsedMs / 1000).toFixed(0)} s`,
  ];
  const problems = problemLines(errors, leftovers);

  return `# Benchmarks: Steward vs PM2

Generated by \`npm run bench\` (bench/run.js). Numbers are medians; Steward ÷ PM2 below 1 means
Steward is faster or smaller. The targets are Steward's goals; the suite only reports them, it
never fails on them. Logging (throughput, daemon CPU and memory, \`logs\` on a 1 GB file) has its
own section, [Logs](#logs), at the end.

## Results

${markdownTable(rows)}

${problems.length > 0 ? `### Problems seen in this run\n\n${problems.join('\n')}\n\n` : ''}## Machine

${factLines.join('\n')}

The machine may be shared: other work running at the same time adds noise, and the load average
above is the hint. Compare ratios more than absolute numbers.

## How to run

\`\`\`sh
npm run bench                 # build, then run everything (≈ 30 minutes, monitoring ≈ 15 of them) and rewrite this file
node bench/run.js --quick     # fewer repetitions, for a smoke test (does not rewrite this file)
node bench/run.js --only=fleet,crash,start,baseline --no-docs
node bench/run.js --only=logs # rewrites the Logs section only (≈ 2–3 minutes), keeps the rest
\`\`\`

PM2 is installed from npm at bench time into \`.bench-tmp/pm2\` (git-ignored, cached between runs;
\`BENCH_PM2_VERSION\` picks another version). Each tool gets its own fresh home in a temp directory
(\`STEWARD_HOME\`, \`PM2_HOME\`). Both daemons run side by side and every timed step alternates
between the tools (rotating which goes first), so that load from anything else on the machine hits
both alike; the other daemon is idle meanwhile. At the end (also on failure or Ctrl-C) the harness
runs \`steward kill\` and \`pm2 kill\`, then ends any process still carrying this run's
\`STEWARD_BENCH_RUN\` mark and lists it under "Problems". Every CLI call and every wait has a
timeout. Raw samples of the last run: \`.bench-tmp/last-run.json\`.

## What each benchmark measures

All times are wall-clock, measured by the harness with \`performance.now()\` from \`spawn()\` of
\`node <cli>\` until the process closed (so \`node -e 0\` spawned the same way is the floor of any
Node CLI). Repetitions this run: ${runs.ls20.n} timed \`ls\` with 20 apps and \`node -e 0\` (after
${runs.ls20.warm} warm-up), ${runs.ls500.n} with 500 apps, ${runs.crashCycles} crash cycles, ${runs.start}
runs of each start variant, ${runs.del200} of \`delete all\`.

- **\`node -e 0\`**: Node's own start-up on this machine, the baseline for CLI latency.
- **\`ls\` with 20 / 500 apps**: one \`steward ls\` / \`pm2 ls\` against a running daemon, output
  to a pipe. The apps are idle \`sleep 100000\` processes (a symlink \`sN\` → sleep, \`--interpreter
  none\`), about 1 MB each, so that 500 of them fit in memory. Calls are ${'1.1 s'} apart: Steward
  refreshes cpu/memory samples at most once a second, so every timed call pays for a fresh sample
  (as a person typing \`ls\` would); back-to-back calls would be faster for Steward.
- **crash → replacement running**: an app (bench/fixtures/crasher.js) logs \`start <time> <pid>\`
  when it runs, logs \`exit <time>\` and calls \`process.exit(1)\` right away. The gap from one
  \`exit\` to the next \`start\` is noticing the exit + deciding + spawning + Node booting the app.
  \`restart_delay\` 0 for both, \`max_restarts\` raised so neither tool gives up (and Steward's
  crash-loop guard \`--restart-limit\` off). Reference: the same app under a ten-line respawn loop in
  plain Node (\`child_process.spawn\` → on 'exit' spawn again; bench/fixtures/respawn-loop.js).
- **daemon RSS**: \`VmRSS\` of \`/proc/<daemon pid>/status\` (Steward: \`$STEWARD_HOME/daemon.pid\`,
  PM2: \`$PM2_HOME/pm2.pid\`), median of 5 reads after a quiet second, with 0, 20, 200 and 500 idle
  apps (the same \`sleep\` apps; after at least one \`ls\`, so sampling buffers are counted).
- **daemon private memory**: \`RssAnon\` of the same file, the part of VmRSS the daemon itself holds
  (heaps, buffers); the rest (\`RssFile\`) is the node binary's and libraries' pages, shared with every
  other Node process on the machine. Read 1 s after the last command, as above, and again after both
  daemons were left idle ${STEADY_MS / 1000} s: V8's memory reducer gives back the garbage of a burst of commands only
  10–40 s after it, so the second read is what an idle daemon holds.
- **start 20 apps until all ran**: 20 Node apps (copies of bench/fixtures/marker.js) that each write
  a marker file as soon as they run; the clock starts before the first command and stops when the
  20th marker exists. *20 commands*: one \`start <file>\` per app, one after the other, as a deploy
  script would. *Ecosystem file*: one \`start apps.json\` listing the 20 apps (\`{ "apps": [{ "name",
  "script" }] }\`, the same file for both tools). Steward's \`start\` checks that each app gets up: it returns once
  the app's main module ran (the agent's report) and watches the rest of \`STEWARD_START_SETTLE_MS\`
  (default 300 ms) in the daemon (docs/restart-policy.md, "At start"); with 0 it does not check.
  Both settings are shown. PM2 does not wait. The detail table also gives the time until the last command returned. *Plain spawn* in the
  Reference column: the harness itself spawning all 20 with \`node <file>\` at once, no manager —
  what 20 Node boots sharing the CPUs cost on this machine (a manager cannot do much better).
  *Floor* (20 commands with the check): each command is one Node start for the CLI, then the app's
  own Node start up to its first event-loop turn, one after the other, so 20 × 2 × \`node -e 0\` is
  about the least that 20 checked commands can take here, whatever the manager does in between.
- **\`delete all\`, 200 apps**: wall time of the command with 200 idle apps online (\`sleep\` exits on
  SIGINT at once, so this is the managers' own cost). The 500-app figure is one extra run.

## All samples

${detailRows(R)}
`;
}
