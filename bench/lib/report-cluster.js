// The "Cluster mode" section of docs/benchmarks.md (bench/cases/cluster.js): table, what each row
// measures, how to run, every sample. Starts at SECTION_MARKS.cluster (see lib/sections.js).
import { INSTANCES, RELOADS, RESTARTS, SCALE_TO, TAIL_S } from '../cases/cluster.js';
import { markdownTable, problemLines, textTable } from './report.js';
import { SECTION_MARKS } from './sections.js';
import { fmtMs, fmtRatio, median } from './stats.js';

export const thousands = (n) =>
  Number.isFinite(n) ? String(Math.round(n)).replace(/\B(?=(\d{3})+(?!\d))/g, ' ') : 'n/a';
const pct = (v) => (Number.isFinite(v) ? `${(v * 100).toFixed(0)} %` : 'n/a');
const fmtRps = (v) => (Number.isFinite(v) ? `${thousands(v)} req/s` : 'n/a');

/** req/s over every timed run of a subject: all requests ÷ all seconds. */
export function rpsOf(runs) {
  if (!runs || runs.length === 0) return NaN;
  const req = runs.reduce((n, r) => n + r.requests, 0);
  const s = runs.reduce((n, r) => n + r.seconds, 0);
  return req / s;
}

/** min–max over the rounds of a ÷ b (runs of the same index ran in the same round). */
function roundRange(a, b) {
  const r = (a ?? []).map((x, i) => x.rps / b?.[i]?.rps).filter((v) => Number.isFinite(v));
  return r.length > 0 ? `${pct(Math.min(...r))}–${pct(Math.max(...r))}` : 'n/a';
}

const SCEN = {
  drain: `\`reload\` ×${RELOADS} under load, app drains on SIGINT (server.close): failed requests`,
  hello: `\`reload\` ×${RELOADS} under load, app with no shutdown code: failed requests`,
  python: `\`reload\` ×${RELOADS} under load, Python app on a shared socket (\`--listen\`, SIGTERM): failed requests`,
  restart: `\`restart\` ×${RESTARTS} under load, draining app (reference): failed requests`,
};

/** "0 of 201 417" plus what went wrong with the operations themselves. */
function failText(r) {
  if (!r) return { text: 'n/a', ok: undefined };
  const bad = r.ops.filter((o) => o.code !== 0).length;
  const extra = [];
  if (bad > 0) {
    const codes = [...new Set(r.ops.filter((o) => o.code).map((o) => o.code))].join(', ');
    extra.push(`**${bad} of ${r.ops.length} \`${r.op ?? 'operation'}\` commands failed (exit ${codes})**`);
  }
  if (r.replaced < INSTANCES) extra.push(`**${r.replaced} of ${INSTANCES} instances replaced**`);
  if (r.late > 0) extra.push(`${r.late} ended after the load stopped`);
  const total = r.requests + (r.failed - r.non2xx);
  return {
    text: `${thousands(r.failed)} of ${thousands(total)}${extra.length ? ` — ${extra.join('; ')}` : ''}`,
    ok: r.failed === 0 && bad === 0 && r.replaced >= INSTANCES,
  };
}

export function clusterRows(C) {
  const rows = [];
  const T = C.throughput ?? {};
  const s = rpsOf(T.steward);
  const p = rpsOf(T.pm2);
  const h = rpsOf(T.hand);
  if (Number.isFinite(s) || Number.isFinite(p)) {
    rows.push({
      label: `throughput, ${INSTANCES} instances, ${C.load?.connections ?? 32} keep-alive connections (higher is better)`,
      s,
      p,
      ratio: s / p,
      fmt: fmtRps,
      ref: `hand-written \`cluster\`: ${fmtRps(h)}; PM2 ÷ hand-written ${pct(p / h)}; Steward ÷ hand-written round by round: ${roundRange(T.steward, T.hand)}; connections per Steward instance, round by round: ${(T.steward ?? []).map((x) => (x.conns ?? []).join('/')).join(', ')}`,
      target: '≥ 95 % of hand-written',
      actual: pct(s / h),
      met: Number.isFinite(s / h) ? s / h >= 0.95 : undefined,
    });
  }
  for (const id of ['drain', 'hello', 'python', 'restart']) {
    const R = C.reload?.[id];
    if (!R || (!R.steward && !R.pm2)) continue;
    const fs = failText(R.steward);
    const fp = failText(R.pm2);
    const reference = id === 'restart';
    rows.push({
      label: SCEN[id],
      sText: fs.text,
      pText: id === 'python' ? 'n/a (no socket sharing for non-Node apps)' : fp.text,
      ratioText: '—',
      ref: `${R.steward ? `Steward: ${thousands(R.steward.requests)} requests, ${id === 'restart' ? 'restart' : 'reload'} ${R.steward.ops.map((o) => (o.ms / 1000).toFixed(1)).join('/')} s` : ''}${R.pm2 ? `; PM2: ${thousands(R.pm2.requests)} requests, ${R.pm2.ops.map((o) => (o.ms / 1000).toFixed(1)).join('/')} s` : ''}`,
      target: reference ? undefined : '0',
      met: reference ? undefined : fs.ok,
    });
  }
  const S = C.scale ?? {};
  const ss = median((S.steward ?? []).map((r) => r.readyMs));
  const sp = median((S.pm2 ?? []).map((r) => r.readyMs));
  if (Number.isFinite(ss) || Number.isFinite(sp)) {
    const m = (who, k) => fmtMs(median((S[who] ?? []).map((r) => r[k])));
    rows.push({
      label: `\`scale\` ${INSTANCES} → ${SCALE_TO}: until all ${SCALE_TO} listen and the command returned`,
      s: ss,
      p: sp,
      ratio: ss / sp,
      unit: 'ms',
      ref: `floor, ${SCALE_TO - INSTANCES} \`node app\` spawned at once by the harness: ${m('plain', 'listenMs')}; \`scale\` returned: Steward ${m('steward', 'cmdMs')}, PM2 ${m('pm2', 'cmdMs')}; \`jlist\` showed ${SCALE_TO} online: Steward ${m('steward', 'listMs')}, PM2 ${m('pm2', 'listMs')}`,
      target: '≤ ½ of PM2',
      met: Number.isFinite(ss / sp) ? ss / sp <= 0.5 : undefined,
    });
  }
  return rows;
}

export const clusterTextTable = (C) => textTable(clusterRows(C));

function detail(C) {
  const out = [];
  const T = C.throughput ?? {};
  const who = {
    steward: 'Steward',
    pm2: 'PM2',
    hand: 'hand-written `cluster`',
    plain: 'plain spawn (floor)',
  };
  if (Object.keys(T).length > 0) {
    out.push(
      'Throughput runs (in the order they ran within each round; connections per worker: where wrk\'s connections were, read from /proc/net/tcp* and the workers\' fds 0.5 s into the run; worker CPU is per instance; the "hands out connections" process is the daemon for Steward — which is not on the data path —, the daemon for PM2 — the cluster primary, round-robin — and the primary for the hand-written program):',
      '',
      '| Who | run | req/s | requests | failed | connections per worker | worker CPU (s) | CPU of the process handing out connections (s) |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const [k, runs] of Object.entries(T)) {
      runs.forEach((r, i) =>
        out.push(
          `| ${who[k] ?? k} | ${i + 1} | ${thousands(r.rps)} | ${thousands(r.requests)} | ${r.failed} | ${(r.conns ?? []).join(' / ')} | ${(r.workerCpu ?? []).map((v) => v.toFixed(2)).join(' + ')} | ${Number.isFinite(r.primaryCpu) ? r.primaryCpu.toFixed(2) : 'n/a'} |`,
        ),
      );
    }
    out.push('');
  }
  const rl = C.reload ?? {};
  if (Object.keys(rl).length > 0) {
    out.push(
      "Runs under load (one per row; `read`/`write`/`connect`/`timeout` are wrk's socket errors; operations: when each started after the load began, how long it took, its exit code):",
      '',
      '| Scenario | Who | requests | failed | connect / read / write / timeout / non-2xx | operations (start → duration, exit) | online after · new pids |',
      '| --- | --- | --- | --- | --- | --- | --- |',
    );
    for (const [id, byTool] of Object.entries(rl)) {
      for (const [k, r] of Object.entries(byTool)) {
        const e = r.errors;
        out.push(
          `| ${id} | ${who[k] ?? k} | ${thousands(r.requests)} | ${r.failed} | ${e.connect} / ${e.read} / ${e.write} / ${e.timeout} / ${r.non2xx} | ${r.ops.map((o) => `${(o.atMs / 1000).toFixed(1)} s → ${(o.ms / 1000).toFixed(2)} s${o.code ? ` **exit ${o.code}**` : ''}`).join(', ')} | ${r.instancesAfter} · ${r.replaced} |`,
        );
      }
    }
    const errs = [];
    for (const [id, byTool] of Object.entries(rl))
      for (const [k, r] of Object.entries(byTool)) {
        const first = r.ops.find((o) => o.code);
        if (first)
          errs.push(
            `- ${id}, ${who[k] ?? k}: first failure said:\n\n  \`\`\`\n  ${first.err.replace(/\n/g, '\n  ')}\n  \`\`\``,
          );
      }
    if (errs.length > 0) out.push('', ...errs);
    out.push('');
  }
  const S = C.scale ?? {};
  if (Object.keys(S).length > 0) {
    out.push(
      `\`scale\` runs (ms from the \`scale\` command's spawn):`,
      '',
      `| Who | run | all ${SCALE_TO} listening | \`scale\` returned | ready (the later of the two) | \`jlist\`: ${SCALE_TO} online, all listening |`,
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const [k, runs] of Object.entries(S))
      runs.forEach((r, i) =>
        out.push(
          `| ${who[k] ?? k} | ${i + 1} | ${fmtMs(r.listenMs)} | ${k === 'plain' ? '—' : fmtMs(r.cmdMs)} | ${fmtMs(r.readyMs)} | ${k === 'plain' ? '—' : fmtMs(r.listMs)} |`,
        ),
      );
  }
  return out.join('\n');
}

export function clusterMarkdown({ C, facts, errors, leftovers }) {
  const rows = clusterRows(C);
  const problems = problemLines(errors, leftovers);
  const notes = (C.notes ?? []).map((n) => `- ${n}`);
  const r = C.runs ?? {};
  const conns = C.load?.connections ?? 32;
  return `${SECTION_MARKS.cluster}

## Cluster mode

Generated by \`node bench/run.js --only=cluster\` (bench/cases/cluster.js; also part of
\`npm run bench\`). ${INSTANCES} instances of a hello-world HTTP app in each tool's cluster mode, load
from ${C.gen ?? 'wrk'} on loopback (${C.load?.threads ?? 1} thread, ${conns} keep-alive connections,
${C.load?.timeoutS ?? 2} s request timeout). The targets are Steward's goals; the suite only reports
them.

- Run: ${facts.date} · Steward ${facts.steward} · PM2 ${facts.pm2} · Node ${facts.node} · nproc ${facts.nproc} · ${facts.memGb} GB${C.python ? ` · ${C.python}` : ''}
- Load average (1 min) before → after the cluster case: ${(C.loadavg ?? []).join(' → ') || 'n/a'} · the case took ${Number.isFinite(C.elapsedMs) ? (C.elapsedMs / 1000).toFixed(0) : 'n/a'} s

${markdownTable(rows)}

${problems.length > 0 ? `### Problems seen in this run (cluster)\n\n${problems.join('\n')}\n\n` : ''}${notes.length > 0 ? `### Notes (cluster)\n\n${notes.join('\n')}\n\n` : ''}### What each row measures (cluster)

- **The apps** (bench/fixtures/): \`http-hello.js\` answers \`hello <pid>\` on \`$PORT\` and has no
  shutdown code at all (SIGINT ends it at once); \`http-drain.js\` is the same plus the usual
  shutdown code, \`process.on('SIGINT', () => server.close(() => process.exit(0)))\`. Both tools start
  them with \`start <app> --name <n> -i ${INSTANCES}\` (cluster mode in both), \`PORT\` in the CLI's
  environment. Every app is deleted after its run; each run gets a fresh port.
- **Throughput**: the Steward app, the PM2 app and the reference — \`node
  bench/fixtures/cluster-hand.js\`, a hand-written ${INSTANCES}-worker Node \`cluster\` program
  (Node's default scheduling: on Linux the primary accepts and hands connections out round-robin),
  run by the harness — are up side by side; after a ${r.warmS ?? 'n/a'} s warm-up each,
  ${r.rounds ?? 'n/a'} rounds of a ${r.throughputS ?? 'n/a'} s timed run each, rotating who goes first
  (short runs in many rounds, so that background load on a shared machine hits all three alike).
  req/s = all requests ÷ all timed seconds; the reference column also gives the range of the
  round-by-round Steward ÷ hand-written ratio, and how wrk's ${conns} connections were spread over
  Steward's instances in each round (read from \`/proc/net/tcp*\` and the workers' fds 0.5 s into
  the run): with one shared accept queue the kernel decides, and an instance that wakes first may
  take most of a burst of new connections; with keep-alive they stay there. Steward hands the same listening socket to both instances (the
  kernel spreads connections; the daemon is not on the data path); PM2's daemon is the cluster
  primary. On a 2-CPU machine wrk, the two workers (and PM2's primary) share the CPUs: compare
  ratios, not absolute numbers.
- **Failed requests under \`reload\`**: wrk drives the app for ${(r.windowS ?? 15) + TAIL_S} s
  while the harness runs \`reload <app>\` ${RELOADS} times, one after the other, the starts spread
  over the first ${r.windowS ?? 15} s (from 10 % to 77 % of it; a reload starts late if the previous
  one is still running; the ${TAIL_S} extra seconds of load let the last one end under load).
  Failed = wrk's socket errors (connect, read — a connection closed or reset with a request in
  flight —, write, timeout > ${C.load?.timeoutS ?? 2} s) + non-2xx/3xx answers; "of N" is responses +
  socket errors. A failed operation (non-zero exit) or instances that were not replaced are shown:
  then 0 failed requests says nothing. *Python*: \`examples/python/server.py\` with \`--listen
  127.0.0.1:<port> --kill-signal SIGTERM -i ${INSTANCES}\` (Steward binds the socket once and passes it
  as fd 3; the app drains on SIGTERM; it speaks HTTP/1.0, so every request is a new connection).
  PM2 cannot share a socket with a non-Node app, so that row is Steward's only.
- **\`restart\` ×${RESTARTS}** (reference, no target): the same with \`restart\` on the draining app:
  what a restart costs that a reload avoids.
- **\`scale\`**: the app (\`http-hello.js\`, which writes a file named after its pid to a marker
  directory from its \`listen\` callback) runs with ${INSTANCES} instances; the clock starts at the
  spawn of \`scale <app> ${SCALE_TO}\` and stops when all ${SCALE_TO} instances are listening (the
  latest marker's timestamp) and the command has returned, whichever is later. Checked: \`jlist\`
  (polled from the moment \`scale\` returned) shows ${SCALE_TO} online instances whose pids are the
  listening ones, and the port answers. Median of ${r.scaleRounds ?? 'n/a'} run(s) per tool,
  alternating.

### How to run (cluster)

\`\`\`sh
node bench/run.js --only=cluster           # ≈ 3–4 minutes; rewrites this section only
node bench/run.js --only=cluster --quick   # shorter runs, does not rewrite this file
\`\`\`

wrk is Debian's package: the case runs \`apt-get install -y wrk\` when it is missing and it runs as
root; without wrk it falls back to autocannon (devDependency), whose numbers are lower.

### All samples (cluster)

${detail(C)}
`;
}
