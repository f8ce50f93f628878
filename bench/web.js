// What `steward web` costs, side by side with the daemon idle: N apps (default 200), then the
// dashboard with no page, then one page open in chromium (1 Hz table updates). Prints the daemon's
// and the web server's CPU (% of one core) and RSS for each phase, with the daemon's metrics history
// recorder off and on, and the first render of the table (navigation start → N rows in the DOM,
// measured in the page), cold (token exchange) and on reloads.
//
//   npm run build && node bench/web.js [--apps=200] [--seconds=30] [--node]
//
// Apps are `sleep` processes (interpreter none) unless --node (bench/fixtures/idle.js: ~200 Node
// processes, with the agent, so that the history holds the agent's series too).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { measureCpu } from './lib/procs.js';
import { chromium } from 'playwright-core';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(repo, 'bin/steward.js');
const arg = (name, dflt) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt;
const APPS = Number(arg('apps', 200));
const SECONDS = Number(arg('seconds', 30));
const NODE_APPS = process.argv.includes('--node');
const RELOADS = 5;
const TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const fmt = (r) => `${r.pct.toFixed(2)} % CPU, RSS ${r.rssMb.toFixed(1)} MB`;
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];

async function run(historyOn) {
  const home = mkdtempSync(join(tmpdir(), 'stw-bench-web-'));
  const env = { ...process.env, STEWARD_HOME: home, STEWARD_HISTORY: historyOn ? '1' : '0' };
  const steward = (...args) => execFileSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' });
  const eco = join(home, 'ecosystem.config.json');
  const app = (i) =>
    NODE_APPS
      ? { name: `app-${i}`, script: join(repo, 'bench/fixtures/idle.js') }
      : { name: `app-${i}`, script: '/bin/sleep', args: '100000', interpreter: 'none' };
  writeFileSync(eco, JSON.stringify({ apps: Array.from({ length: APPS }, (_, i) => app(i)) }));
  try {
    steward('start', eco);
    const daemon = Number(readFileSync(join(home, 'daemon.pid'), 'utf8'));
    await sleep(3000);
    const [idle] = await measureCpu([daemon], SECONDS);
    const out = steward('web', '--port', '0');
    const url = /open: +(\S+)/.exec(out)[1];
    const webPid = Number(/\(pid (\d+)\)/.exec(out)[1]);
    await sleep(2000);
    const [dNoPage, wNoPage] = await measureCpu([daemon, webPid], SECONDS);

    const browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
    });
    try {
      const ctx = await browser.newContext();
      // Records when the table first has every row, in the page's own clock (ms since navigation).
      await ctx.addInitScript((n) => {
        const check = () => {
          if (document.querySelectorAll('[data-testid=process-table] tbody tr').length >= n) {
            window.__tableAt = performance.now();
            return true;
          }
          return false;
        };
        new MutationObserver((_m, o) => check() && o.disconnect()).observe(document, {
          childList: true,
          subtree: true,
        });
      }, APPS);
      const page = await ctx.newPage();
      const renders = [];
      await page.goto(url);
      await page.waitForFunction(() => window.__tableAt !== undefined, null, { timeout: 30_000 });
      const cold = await page.evaluate(() => window.__tableAt);
      for (let k = 0; k < RELOADS; k++) {
        await page.reload();
        await page.waitForFunction(() => window.__tableAt !== undefined, null, { timeout: 30_000 });
        renders.push(await page.evaluate(() => window.__tableAt));
      }
      await sleep(2000);
      const [dPage, wPage] = await measureCpu([daemon, webPid], SECONDS);
      const [dDetail, wDetail] = await (async () => {
        await page.goto(url.replace(/#.*/, '#/app/app-0'));
        await sleep(2000);
        return measure([daemon, webPid], Math.min(SECONDS, 15));
      })();
      return { idle, dNoPage, wNoPage, dPage, wPage, dDetail, wDetail, cold, renders };
    } finally {
      await browser.close();
    }
  } finally {
    try {
      steward('kill');
    } catch {
      // no daemon
    }
    rmSync(home, { recursive: true, force: true });
  }
}

const kind = NODE_APPS ? 'Node apps (idle.js, with the agent)' : 'sleep processes';
console.log(`${APPS} ${kind}, ${SECONDS} s per phase, CLK_TCK ${TICKS}, ${process.version}`);
for (const historyOn of [false, true]) {
  const r = await run(historyOn);
  console.log(`\nmetrics history recorder ${historyOn ? 'on (the default)' : 'off (STEWARD_HISTORY=0)'}:`);
  console.log(`  daemon idle, no web:     ${fmt(r.idle)}`);
  console.log(`  web on, no page open:    daemon ${fmt(r.dNoPage)} | web ${fmt(r.wNoPage)}`);
  console.log(`  one page open (table):   daemon ${fmt(r.dPage)} | web ${fmt(r.wPage)}`);
  console.log(`    daemon + web: ${(r.dPage.pct + r.wPage.pct).toFixed(2)} % of one core`);
  console.log(`  one page open (app-0 charts + live log): daemon ${fmt(r.dDetail)} | web ${fmt(r.wDetail)}`);
  console.log(
    `  first render of the table (${APPS} rows): cold ${r.cold.toFixed(0)} ms (token exchange), reloads median ${median(r.renders).toFixed(0)} ms [${r.renders.map((x) => x.toFixed(0)).join(', ')}]`,
  );
}
