// Takes the screenshots of docs/dashboard.md (docs/img/dashboard-*.png) with the real browser:
// a few example apps in a temporary home, some HTTP traffic for the charts, a crashing app for the
// restart history, then the main views in light and dark, desktop and phone.
//
//   npm run build && node scripts/web-screenshots.js [--out=docs/img] [--seconds=40]
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
const arg = (name, dflt) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1] ?? dflt;
const OUT = join(repo, arg('out', 'docs/img'));
const SECONDS = Number(arg('seconds', 40));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const freePort = () =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

const home = mkdtempSync(join(tmpdir(), 'stw-shots-'));
const env = { ...process.env, STEWARD_HOME: home };
const steward = (args, extra = {}) =>
  execFileSync(process.execPath, [join(repo, 'bin/steward.js'), ...args], {
    env: { ...env, ...extra },
    encoding: 'utf8',
    cwd: repo,
  });

try {
  const apiPort = await freePort();
  steward(['start', 'examples/cluster/server.js', '--name', 'api', '-i', '2'], { PORT: String(apiPort) });
  steward(['start', 'examples/python/worker.py', '--name', 'worker']);
  steward(['start', 'test/fixtures/apps/forever.js', '--name', 'mailer']);
  steward(['start', 'test/fixtures/apps/crash.js', '--name', 'billing-sync', '--max-restarts', '3'], {
    DELAY_MS: '300',
  });
  const out = steward(['web', '--port', String(await freePort())]);
  const url = /open: +(\S+)/.exec(out)[1];
  const readUrl = /read-only: +(\S+)/.exec(out)[1];
  const base = url.replace(/\/#.*/, '');

  // Traffic for the HTTP charts, a little heavier in the middle.
  const until = Date.now() + SECONDS * 1000;
  const load = (async () => {
    while (Date.now() < until) {
      const burst = Math.abs(Date.now() - (until - (SECONDS * 1000) / 2)) < 8000 ? 12 : 3;
      await Promise.all(
        Array.from({ length: burst }, () => fetch(`http://127.0.0.1:${apiPort}/`).then((r) => r.text())),
      ).catch(() => undefined);
      await sleep(50);
    }
  })();
  await sleep(SECONDS * 500);
  steward(['restart', 'mailer']);
  await load;

  mkdirSync(OUT, { recursive: true });
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run'],
  });
  try {
    const desk = await browser.newContext({ viewport: { width: 1280, height: 760 }, colorScheme: 'light' });
    const page = await desk.newPage();
    await page.goto(url);
    await page.locator('tr[data-name="worker"]').waitFor();
    await sleep(1500);
    await page.screenshot({ path: join(OUT, 'dashboard-table.png') });
    await page.goto(`${base}/#/app/api`);
    await page.locator('.chart canvas').first().waitFor();
    await sleep(2500);
    await page.screenshot({ path: join(OUT, 'dashboard-app.png'), fullPage: true });
    await page.goto(`${base}/#/events`);
    await page.locator('[data-testid=events] tbody tr').first().waitFor();
    await sleep(500);
    await page.screenshot({ path: join(OUT, 'dashboard-events.png') });

    const dark = await browser.newContext({ viewport: { width: 1280, height: 760 }, colorScheme: 'dark' });
    const dp = await dark.newPage();
    await dp.goto(readUrl);
    await dp.locator('tr[data-name="worker"]').waitFor();
    await dp.goto(`${base}/#/app/worker`);
    await dp.locator('.chart canvas').first().waitFor();
    await sleep(2500);
    await dp.screenshot({ path: join(OUT, 'dashboard-app-dark.png') });

    const phone = await browser.newContext({
      viewport: { width: 390, height: 780 },
      deviceScaleFactor: 2,
      isMobile: true,
      colorScheme: 'dark',
    });
    const pp = await phone.newPage();
    await pp.goto(url);
    await pp.locator('tr[data-name="worker"]').waitFor();
    await sleep(1500);
    await pp.screenshot({ path: join(OUT, 'dashboard-phone.png') });
  } finally {
    await browser.close();
  }
  console.log(`screenshots in ${OUT}`);
} finally {
  try {
    steward(['kill']);
  } catch {
    // no daemon
  }
  rmSync(home, { recursive: true, force: true });
}
