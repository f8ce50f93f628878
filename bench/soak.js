// The daemon's memory over a long run (issue 21): 50 apps (49 idle, one logging ~100 lines/s), a
// `steward logs` follower attached the whole time, the web dashboard open in Debian's chromium (two
// tabs: the overview and the logging app's page, which polls its history) or, without chromium, its
// event stream, and `steward reload all` every minute. Every 10 s: the daemon's private memory
// (RssAnon), VmRSS, and its V8 heap in use after the last GC as the daemon reports it (daemonStats),
// which tells a leak (live heap growing) from pages that the allocator keeps; the dashboard server's
// private memory too. Not part of CI or of `npm run bench` (an hour).
//
//   npm run build && node bench/soak.js [--seconds=3600] [--write-docs]
//
// Prints a summary; --write-docs replaces the soak section of docs/benchmarks.md; the samples go to
// .bench-tmp/soak.json.
import { execFileSync, spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rssParts } from './lib/procs.js';
import { readSections, SECTION_MARKS, writeSections } from './lib/sections.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(repo, 'bin/steward.js');
const arg = (name, dflt) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const SECONDS = arg('seconds', 3600);
const SAMPLE_MS = 10_000;
const RELOAD_MS = 60_000;
const APPS = 50;

const home = mkdtempSync(join(tmpdir(), 'stw-soak-'));
const env = { ...process.env, STEWARD_HOME: home, NO_COLOR: '1' };
const steward = (...args) =>
  execFileSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 120_000 });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const children = [];

/** Least-squares slope of y over x (per unit of x). */
function slope(xs, ys) {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i += 1) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}

/** One JSON-RPC call on the daemon's socket (newline-delimited JSON); resolves with its result. */
function rpc(method, params = {}) {
  return new Promise((resolve, reject) => {
    const sock = createConnection(join(home, 'daemon.sock'));
    let buf = '';
    sock.setEncoding('utf8');
    sock.on('connect', () => sock.write(`${JSON.stringify({ jsonrpc: '2.0', id: 1, method, params })}\n`));
    sock.on('data', (d) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      sock.end();
      const msg = JSON.parse(buf.slice(0, nl));
      if (msg.error) reject(new Error(msg.error.message));
      else resolve(msg.result);
    });
    sock.on('error', reject);
  });
}

const CHROMIUM = process.env.STEWARD_CHROMIUM ?? '/usr/bin/chromium';

/** The dashboard in chromium: the overview and the logging app's page, open for the whole run. */
async function openPages(url) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const [base, token] = url.split('#token=');
  for (const view of ['#/', '#/app/chatty']) {
    const page = await browser.newPage();
    // The token rides in the fragment the first time only (the page stores its session cookie).
    await page.goto(`${base}#token=${token}`);
    await page.waitForFunction(() => !location.hash.includes('token='), null, { timeout: 30_000 });
    await page.evaluate((h) => (location.hash = h), view);
  }
  return {
    note: 'open in chromium (overview and the logging app’s page)',
    close: () => browser.close(),
  };
}

/**
 * Opens the dashboard when this build has `steward web`: in chromium when it is installed, else its
 * event stream (what the overview keeps open); undefined without `steward web`.
 */
async function openDashboard() {
  if (!/^\s+web\b/m.test(steward('--help'))) return undefined;
  const out = steward('web', '--port', '0');
  const url = /https?:\/\/\S+/.exec(out)?.[0];
  if (!url) return { note: `steward web printed no URL: ${out.trim()}` };
  if (existsSync(CHROMIUM)) return openPages(url);
  const u = new URL(url.replace('#token=', '?token='));
  const token = u.searchParams.get('token') ?? '';
  const res = await fetch(new URL('/api/stream', u.origin), {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok || !res.body) return { note: `event stream answered ${res.status}` };
  let bytes = 0;
  const reader = res.body.getReader();
  void (async () => {
    for (;;) {
      const { done, value } = await reader.read().catch(() => ({ done: true, value: undefined }));
      if (done) break;
      bytes += value?.length ?? 0;
    }
  })();
  return { note: 'event stream of `steward web` open', bytes: () => bytes, close: () => reader.cancel() };
}

/** The dashboard server's pid: the daemon's child running dist/web.js. */
function webPid(daemon) {
  try {
    const kids = readFileSync(`/proc/${daemon}/task/${daemon}/children`, 'utf8').trim().split(' ');
    return kids.map(Number).find((k) => {
      try {
        return readFileSync(`/proc/${k}/cmdline`, 'utf8').includes('dist/web.js');
      } catch {
        return false;
      }
    });
  } catch {
    return undefined;
  }
}

/** The run's numbers from its samples; `meta` says how it ran (start time, reloads, follower, page). */
function summarize(samples, meta) {
  const seconds = meta.seconds;
  const anon = samples.map((x) => x.anon);
  const after5 = samples.filter((x) => x.s >= Math.min(300, seconds / 4));
  const half = samples.filter((x) => x.s >= seconds / 2);
  const slopeOf = (xs, key) =>
    slope(
      xs.map((x) => x.s),
      xs.map((x) => x[key]),
    ) * 3600;
  return {
    ...meta,
    anonStart: anon[0],
    anonAt5min: after5[0]?.anon,
    anonMax: Math.max(...anon),
    anonEnd: anon.at(-1),
    totalEnd: samples.at(-1)?.total,
    slopeMbPerHourAfter5min: slopeOf(after5, 'anon'),
    slopeMbPerHourSecondHalf: slopeOf(half, 'anon'),
    heapUsedAt5min: after5[0]?.heapUsed ?? NaN,
    heapUsedEnd: samples.at(-1)?.heapUsed ?? NaN,
    heapUsedSlopeMbPerHourAfter5min: slopeOf(after5, 'heapUsed'),
    heapTotalEnd: samples.at(-1)?.heapTotal ?? NaN,
    webAnonAt5min: after5[0]?.webAnon ?? NaN,
    webAnonEnd: samples.at(-1)?.webAnon ?? NaN,
    // One sample lands anywhere in the minute's reload cycle (±2 MB), so flatness compares ten
    // minutes after the warm-up with the last ten: medians of private memory, and the lowest heap
    // in use (closest to the live objects, as garbage comes and goes).
    ...windows(samples, seconds),
    tens: tens(samples, seconds),
  };
}

/** Per ten minutes: the median private memory and the lowest V8 heap in use. */
function tens(samples, seconds) {
  const out = [];
  for (let a = 0; a < seconds; a += 600) {
    const xs = samples.filter((x) => x.s >= a && x.s < a + 600);
    if (xs.length === 0) continue;
    const anon = xs.map((x) => x.anon).sort((p, q) => p - q);
    const heap = xs.map((x) => x.heapUsed).filter(Number.isFinite);
    out.push({
      from: a / 60,
      anonMedian: anon[anon.length >> 1],
      heapLow: heap.length > 0 ? Math.min(...heap) : NaN,
    });
  }
  return out;
}

/** The per-ten-minutes table (markdown lines). */
function byTenMinutes(rows) {
  const f = (x) => (Number.isFinite(x) ? `${x.toFixed(1)} MB` : '—');
  return [
    `| minutes | ${rows.map((r) => `${r.from}–${r.from + 10}`).join(' | ')} |`,
    `| --- | ${rows.map(() => '---').join(' | ')} |`,
    `| private memory, median | ${rows.map((r) => f(r.anonMedian)).join(' | ')} |`,
    `| V8 heap in use, lowest | ${rows.map((r) => f(r.heapLow)).join(' | ')} |`,
  ];
}

/** Medians of private memory and lowest V8 heap in use: minutes 5–15 (warmed up) and the last 10. */
function windows(samples, seconds) {
  const span = Math.min(600, seconds / 4);
  const from = Math.min(300, seconds / 4);
  const early = samples.filter((x) => x.s >= from && x.s < from + span);
  const late = samples.filter((x) => x.s >= seconds - span);
  const med = (xs) => {
    const v = xs.filter(Number.isFinite).sort((a, b) => a - b);
    return v.length > 0 ? v[v.length >> 1] : NaN;
  };
  const low = (xs) => (xs.some(Number.isFinite) ? Math.min(...xs.filter(Number.isFinite)) : NaN);
  return {
    windowMinutes: span / 60,
    anonMedianEarly: med(early.map((x) => x.anon)),
    anonMedianLate: med(late.map((x) => x.anon)),
    heapLowEarly: low(early.map((x) => x.heapUsed)),
    heapLowLate: low(late.map((x) => x.heapUsed)),
  };
}

/** Flat: the last ten minutes' median private memory within ±10 % of minutes 5–15's. */
const isFlat = (sum) => Math.abs(sum.anonMedianLate - sum.anonMedianEarly) <= 0.1 * sum.anonMedianEarly;

/** Replaces the soak section of docs/benchmarks.md. */
function writeDocs(sum) {
  const file = join(repo, 'docs/benchmarks.md');
  const f = (x) => (Number.isFinite(x) ? `${x.toFixed(1)} MB` : '—');
  const h = (x) => (Number.isFinite(x) ? `${x.toFixed(2)} MB/h` : '—');
  const section = [
    SECTION_MARKS.soak,
    '',
    '## Soak: daemon memory over an hour',
    '',
    `${sum.started}, ${sum.seconds} s, Steward only (${sum.commit ?? 'this build'}): ${sum.apps} apps (${sum.apps - 1} idle, one logging ~100 lines/s),`,
    `a \`steward logs\` follower (${sum.follower}), dashboard: ${sum.dashboard}, \`reload all\` every`,
    `minute (${sum.reloads} reloads, ${sum.reloadFailures} failed). Private memory is \`RssAnon\`, read every 10 s.`,
    'The V8 heap in use is what the daemon reports (`daemonStats`, garbage not yet collected included);',
    'its lowest value in a window is closest to the live objects, and tells a leak (live objects',
    'growing) from pages that V8 and malloc keep committed. A single sample lands anywhere in the',
    "minute's reload cycle (±2 MB), so flatness compares medians over ten minutes: minutes 5–15",
    '(warmed up) and the last ten.',
    '',
    `| private memory: start | median, min 5–15 | median, last ${sum.windowMinutes} min | flat (within ±10 %) | max | end | slope after 5 min | slope, 2nd half | VmRSS at end |`,
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    `| ${f(sum.anonStart)} | ${f(sum.anonMedianEarly)} | ${f(sum.anonMedianLate)} | ${isFlat(sum) ? 'yes' : '**no**'} | ${f(sum.anonMax)} | ${f(sum.anonEnd)} | ${h(sum.slopeMbPerHourAfter5min)} | ${h(sum.slopeMbPerHourSecondHalf)} | ${f(sum.totalEnd)} |`,
    '',
    ...byTenMinutes(sum.tens),
    '',
    `| V8 heap in use: lowest, min 5–15 | lowest, last ${sum.windowMinutes} min | slope after 5 min | heap committed at end | dashboard server private memory: at 5 min | end |`,
    '| --- | --- | --- | --- | --- | --- |',
    `| ${f(sum.heapLowEarly)} | ${f(sum.heapLowLate)} | ${h(sum.heapUsedSlopeMbPerHourAfter5min)} | ${f(sum.heapTotalEnd)} | ${f(sum.webAnonAt5min)} | ${f(sum.webAnonEnd)} |`,
    '',
    'Run: `npm run build && node bench/soak.js --seconds=3600 --write-docs` (samples in .bench-tmp/soak.json;',
    '`node bench/soak.js --docs-from=<that file>` writes this section again from a saved run).',
  ].join('\n');
  writeSections(file, readSections(file), { soak: section });
}

async function soak() {
  const MB = 1024 * 1024;
  const samples = [];
  const meta = { started: new Date().toISOString(), seconds: SECONDS, apps: APPS, commit: commitOf() };
  let dashboard;
  const t0 = Date.now();
  try {
    const idle = join(repo, 'bench/fixtures/idle.js');
    const chatty = join(home, 'chatty.js');
    writeFileSync(
      chatty,
      "let n = 0;\nsetInterval(() => console.log(`line ${n++} ${'x'.repeat(80)}`), 10);\n",
    );
    const apps = Array.from({ length: APPS - 1 }, (_, i) => ({ name: `idle-${i}`, script: idle }));
    apps.push({ name: 'chatty', script: chatty });
    writeFileSync(join(home, 'soak.json'), JSON.stringify({ apps }));
    steward('start', join(home, 'soak.json'));
    const follower = spawn(process.execPath, [BIN, 'logs'], { env, stdio: ['ignore', 'ignore', 'ignore'] });
    children.push(follower);
    dashboard = await openDashboard();
    const daemon = Number(readFileSync(join(home, 'daemon.pid'), 'utf8'));
    let nextReload = Date.now() + RELOAD_MS;
    let reloads = 0;
    let reloadFailures = 0;
    while (Date.now() - t0 < SECONDS * 1000) {
      const p = rssParts(daemon);
      if (!p) throw new Error('the daemon is gone');
      const stats = await rpc('daemonStats').catch(() => undefined);
      const web = webPid(daemon);
      samples.push({
        s: (Date.now() - t0) / 1000,
        anon: p.anon,
        total: p.total,
        heapUsed: stats ? stats.memory.heap_used / MB : NaN,
        heapTotal: stats ? stats.memory.heap_total / MB : NaN,
        webAnon: web ? (rssParts(web)?.anon ?? NaN) : NaN,
      });
      const wait = Math.min(SAMPLE_MS, nextReload - Date.now());
      await sleep(Math.max(0, wait));
      if (Date.now() >= nextReload) {
        try {
          steward('reload', 'all');
        } catch {
          reloadFailures += 1;
        }
        reloads += 1;
        nextReload += RELOAD_MS;
      }
    }
    Object.assign(meta, {
      reloads,
      reloadFailures,
      follower: follower.exitCode === null ? 'attached to the end' : `exited ${follower.exitCode}`,
      dashboard: dashboard?.note ?? 'none: this build has no `steward web`',
    });
    return { meta, samples };
  } finally {
    dashboard?.close?.();
    for (const c of children) c.kill();
    try {
      steward('kill');
    } catch {
      // already gone
    }
    if (existsSync(home)) rmSync(home, { recursive: true, force: true });
  }
}

function commitOf() {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repo, encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

const from = process.argv.find((a) => a.startsWith('--docs-from='))?.slice('--docs-from='.length);
let run;
if (from) {
  rmSync(home, { recursive: true, force: true });
  // A saved run; runs saved before `meta` existed kept these fields in `summary`.
  const saved = JSON.parse(readFileSync(from, 'utf8'));
  const meta = saved.meta ?? {
    ...saved.summary,
    started: new Date(statSync(from).mtimeMs - saved.summary.seconds * 1000).toISOString(),
  };
  run = { meta, samples: saved.samples };
} else {
  run = await soak();
  mkdirSync(join(repo, '.bench-tmp'), { recursive: true });
  writeFileSync(join(repo, '.bench-tmp/soak.json'), JSON.stringify(run, null, 1));
}
const summary = summarize(run.samples, run.meta);
console.log(JSON.stringify(summary, null, 2));
console.log(
  isFlat(summary) ? 'flat: the last ten minutes within ±10 % of minutes 5–15 (medians)' : 'NOT flat',
);
if (from || process.argv.includes('--write-docs')) writeDocs(summary);
