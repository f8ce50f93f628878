// The daemon's memory over a long run (issue 21): 50 apps (49 idle, one logging ~100 lines/s), a
// `steward logs` follower attached the whole time, the web dashboard's event stream open when this
// build has `steward web`, and `steward reload all` every minute. The daemon's private memory
// (RssAnon) and VmRSS are read every 10 s. Not part of CI or of `npm run bench` (an hour).
//
//   npm run build && node bench/soak.js [--seconds=3600] [--write-docs]
//
// Prints a summary; --write-docs replaces the soak section of docs/benchmarks.md; the samples go to
// .bench-tmp/soak.json.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/** Opens the dashboard's event stream when this build has `steward web`; undefined otherwise. */
async function openDashboard() {
  if (!/^\s+web\b/m.test(steward('--help'))) return undefined;
  const out = steward('web', '--port', '0');
  const url = /https?:\/\/\S+/.exec(out)?.[0];
  if (!url) return { note: `steward web printed no URL: ${out.trim()}` };
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

const samples = [];
let dashboard;
const t0 = Date.now();
try {
  const idle = join(repo, 'bench/fixtures/idle.js');
  const chatty = join(home, 'chatty.js');
  writeFileSync(chatty, "let n = 0;\nsetInterval(() => console.log(`line ${n++} ${'x'.repeat(80)}`), 10);\n");
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
    samples.push({ s: (Date.now() - t0) / 1000, anon: p.anon, total: p.total });
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
  const anon = samples.map((x) => x.anon);
  const after5 = samples.filter((x) => x.s >= Math.min(300, SECONDS / 4));
  const half = samples.filter((x) => x.s >= SECONDS / 2);
  const summary = {
    seconds: SECONDS,
    apps: APPS,
    reloads,
    reloadFailures,
    follower: follower.exitCode === null ? 'attached to the end' : `exited ${follower.exitCode}`,
    dashboard: dashboard?.note ?? 'none: this build has no `steward web`',
    dashboardBytes: dashboard?.bytes?.() ?? 0,
    anonStart: anon[0],
    anonAt5min: after5[0]?.anon,
    anonMax: Math.max(...anon),
    anonEnd: anon.at(-1),
    totalEnd: samples.at(-1)?.total,
    slopeMbPerHourAfter5min:
      slope(
        after5.map((x) => x.s),
        after5.map((x) => x.anon),
      ) * 3600,
    slopeMbPerHourSecondHalf:
      slope(
        half.map((x) => x.s),
        half.map((x) => x.anon),
      ) * 3600,
  };
  const flat = Math.abs(summary.anonEnd - summary.anonAt5min) <= 0.1 * summary.anonAt5min;
  console.log(JSON.stringify(summary, null, 2));
  console.log(flat ? 'flat: end within ±10 % of the 5-minute value' : 'NOT flat');
  mkdirSync(join(repo, '.bench-tmp'), { recursive: true });
  writeFileSync(join(repo, '.bench-tmp/soak.json'), JSON.stringify({ summary, samples }, null, 1));
  if (process.argv.includes('--write-docs')) {
    const file = join(repo, 'docs/benchmarks.md');
    const f = (x) => `${x.toFixed(1)} MB`;
    const section = [
      SECTION_MARKS.soak,
      '',
      '## Soak: daemon memory over an hour',
      '',
      `${new Date(t0).toISOString()}, ${SECONDS} s, Steward only: ${APPS} apps (${APPS - 1} idle, one logging ~100 lines/s),`,
      `a \`steward logs\` follower (${summary.follower}), dashboard: ${summary.dashboard}, \`reload all\` every`,
      `minute (${reloads} reloads, ${reloadFailures} failed). Private memory is \`RssAnon\`, read every 10 s.`,
      '',
      '| private memory: start | at 5 min | max | end | slope after 5 min | slope, 2nd half | VmRSS at end | flat (end within ±10 % of 5 min) |',
      '| --- | --- | --- | --- | --- | --- | --- | --- |',
      `| ${f(summary.anonStart)} | ${f(summary.anonAt5min)} | ${f(summary.anonMax)} | ${f(summary.anonEnd)} | ${summary.slopeMbPerHourAfter5min.toFixed(2)} MB/h | ${summary.slopeMbPerHourSecondHalf.toFixed(2)} MB/h | ${f(summary.totalEnd)} | ${flat ? 'yes' : '**no**'} |`,
      '',
      'Run: `npm run build && node bench/soak.js --seconds=3600 --write-docs` (samples in .bench-tmp/soak.json).',
    ].join('\n');
    const kept = readSections(file);
    writeSections(file, kept, { soak: section });
  }
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
