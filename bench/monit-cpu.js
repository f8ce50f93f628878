// What `steward monit` costs: its own CPU (and the daemon's, with and without it) over 30 s with 50
// idle apps, then with a chatty app (≈1000 lines/s) selected. Runs monit in a detached tmux session
// of 120x35; numbers come from /proc/<pid>/stat. Prints a summary and the last screen.
//
//   npm run build && node bench/monit-cpu.js [--seconds=30] [--apps=50]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureCpu } from './lib/procs.js';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(repo, 'bin/steward.js');
const arg = (name, dflt) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt);
const SECONDS = arg('seconds', 30);
const APPS = arg('apps', 50);
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

const home = mkdtempSync(join(tmpdir(), 'stw-bench-monit-'));
const env = { ...process.env, STEWARD_HOME: home, LANG: 'C.UTF-8' };
delete env.NO_COLOR;
const socket = join(home, 'tmux.sock');
const steward = (...args) => execFileSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
const tmux = (...args) =>
  execFileSync('tmux', ['-S', socket, '-f', '/dev/null', ...args], {
    env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** CPU seconds (user + system) and RSS of a process. */
const fmt = (r) => `${r.pct.toFixed(2)}% (${r.cpuSec.toFixed(2)} s CPU), RSS ${r.rssMb.toFixed(0)} MB`;

try {
  const idle = join(repo, 'bench/fixtures/idle.js');
  const eco = join(home, 'ecosystem.config.json');
  writeFileSync(
    eco,
    JSON.stringify({ apps: Array.from({ length: APPS }, (_, i) => ({ name: `app-${i}`, script: idle })) }),
  );
  steward('start', eco);
  const daemon = Number(readFileSync(join(home, 'daemon.pid'), 'utf8'));
  await sleep(3000);
  const [base] = await measureCpu([daemon], SECONDS);

  tmux('new-session', '-d', '-s', 'monit', '-x', '120', '-y', '35', process.execPath, BIN, 'monit');
  const monit = Number(tmux('list-panes', '-t', 'monit', '-F', '#{pane_pid}').trim());
  for (let i = 0; i < 100 && !/app-0/.test(tmux('capture-pane', '-p', '-t', 'monit')); i += 1)
    await sleep(100);
  await sleep(3000);
  const [m, d] = await measureCpu([monit, daemon], SECONDS);
  const idleScreen = tmux('capture-pane', '-p', '-t', 'monit');

  execFileSync(
    process.execPath,
    [BIN, 'start', join(repo, 'test/fixtures/apps/chatty.js'), '--name', 'chatty'],
    {
      env: { ...env, EVERY_MS: '1' },
    },
  );
  // Select it once the list shows it (the list is polled once a second).
  for (let i = 0; i < 50 && !/ chatty /.test(tmux('capture-pane', '-p', '-t', 'monit')); i += 1) {
    tmux('send-keys', '-t', 'monit', 'End');
    await sleep(200);
  }
  tmux('send-keys', '-t', 'monit', 'End');
  await sleep(3000);
  const chattySecs = Math.min(SECONDS, 10);
  const [mc, dc] = await measureCpu([monit, daemon], chattySecs);
  const chattyScreen = tmux('capture-pane', '-p', '-t', 'monit');
  tmux('send-keys', '-t', 'monit', 'q');
  await sleep(1000);
  const [dn] = await measureCpu([daemon], chattySecs);

  console.log(`${APPS} idle apps, ${SECONDS} s each, tmux 120x35, CLK_TCK ${TICKS}`);
  console.log(`daemon without monit: ${fmt(base)}`);
  console.log(`daemon with monit:    ${fmt(d)}`);
  console.log(`monit:                ${fmt(m)}`);
  console.log(`with a chatty app (~1000 lines/s, selected), ${chattySecs} s:`);
  console.log(`  monit:  ${fmt(mc)}`);
  console.log(`  daemon: ${fmt(dc)}`);
  console.log(`  daemon once monit quit: ${fmt(dn)}`);
  console.log('\n--- screen, idle ---\n' + idleScreen);
  console.log('--- screen, chatty selected ---\n' + chattyScreen);
} finally {
  try {
    tmux('kill-server');
  } catch {
    // not started
  }
  try {
    steward('kill');
  } catch {
    // no daemon
  }
  rmSync(home, { recursive: true, force: true });
}
