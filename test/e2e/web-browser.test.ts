import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { APPS, Home, waitFor } from '../helpers.js';
import { freePort, startWeb, type WebUrls } from './web-support.js';

/**
 * The dashboard in a real browser (Debian's chromium): one launch for the file. With
 * STEWARD_WEB_SCREENSHOTS=<dir> it also saves the screenshots of docs/dashboard.md there.
 */
/**
 * The few browser globals that the page.evaluate callbacks use: this file is compiled with the rest
 * of the tests, without the DOM library (which would put browser types in every test's scope).
 */
interface PageCanvas {
  width: number;
  height: number;
  getContext(
    kind: '2d',
  ): { getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
interface PageElement {
  textContent: string | null;
  querySelector(selector: 'canvas'): PageCanvas | null;
}
declare const document: {
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  body: unknown;
  documentElement: { scrollWidth: number };
};
declare const window: { innerWidth: number };
declare function getComputedStyle(element: unknown): { backgroundColor: string };

const CHROMIUM = process.env.STEWARD_CHROMIUM ?? '/usr/bin/chromium';
const SHOTS = process.env.STEWARD_WEB_SCREENSHOTS;
const skip = existsSync(CHROMIUM) ? false : `no chromium at ${CHROMIUM} (.ci/run installs it)`;

describe('steward web: the dashboard in chromium', { skip }, () => {
  const home = new Home();
  let web: WebUrls;
  let browser: Browser;
  let admin: BrowserContext;
  let page: Page;

  const restarts = async (name: string) =>
    (await home.jlist()).find((e) => e.name === name)?.pm2_env.restart_time;
  const shot = async (p: Page, name: string) => {
    if (!SHOTS) return;
    mkdirSync(SHOTS, { recursive: true });
    await p.screenshot({ path: join(SHOTS, name), fullPage: false });
  };

  before(async () => {
    await home.ok(['start', join(APPS, 'forever.js'), '--name', 'api', '-i', '2']);
    await home.ok(['start', join(APPS, 'stdin-echo.js'), '--name', 'worker']);
    await home.ok(['start', join(APPS, 'forever.js'), '--name', 'mailer']);
    web = await startWeb(home, ['--port', String(await freePort())]);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
      // A fresh profile: playwright gives every launch its own temporary --user-data-dir (and refuses one given here).
    });
    admin = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await admin.newPage();
  });
  after(async () => {
    await browser?.close();
    await home.cleanup();
  });

  it('opens the printed URL, trades the token for an HttpOnly cookie, and shows every app', async () => {
    const t0 = Date.now();
    await page.goto(web.adminUrl);
    const rows = page.locator('[data-testid=process-table] tbody tr');
    await rows.nth(3).waitFor();
    const firstRender = Date.now() - t0;
    assert.equal(await rows.count(), 4);
    for (const name of ['api', 'worker', 'mailer'])
      assert.ok(await page.locator(`tr[data-name="${name}"]`).count());
    assert.ok(!page.url().includes('token'), `the token left the address bar: ${page.url()}`);
    const cookies = await admin.cookies();
    assert.equal(cookies.length, 1);
    assert.equal(cookies[0]?.httpOnly, true);
    assert.equal(cookies[0]?.sameSite, 'Strict');
    assert.equal(await page.locator('[data-testid=role]').textContent(), 'admin');
    await page.locator('tr[data-name="api"] td', { hasText: 'online' }).first().waitFor();
    console.log(`# first render of the table: ${firstRender} ms (page load included)`);
    await shot(page, 'dashboard-table.png');
  });

  it('restarts an app from its row and shows the new count and the outcome', async () => {
    const before = (await restarts('mailer')) ?? 0;
    await page.getByRole('button', { name: /^restart mailer/ }).click();
    await page.locator('[data-testid=outcome]', { hasText: /restart \d+: done/ }).waitFor();
    await page
      .locator('tr[data-name="mailer"] td[data-col=restarts]', { hasText: String(before + 1) })
      .waitFor();
    assert.equal(await restarts('mailer'), before + 1);
  });

  it('shows an error the way the CLI would', async () => {
    // The app disappears behind the page's back: the page's action gets the daemon's error.
    await home.ok(['delete', 'mailer']);
    const r = await page.evaluate(async () => {
      const s = (await (await fetch('/api/session')).json()) as { csrf: string };
      const res = await fetch('/api/processes/mailer/restart', {
        method: 'POST',
        headers: { 'X-CSRF-Token': s.csrf },
      });
      return { status: res.status, body: (await res.json()) as { error: { code: string; message: string } } };
    });
    assert.equal(r.status, 404);
    assert.equal(r.body.error.code, 'E_APP_NOT_FOUND');
    await page.locator('tr[data-name="mailer"]').waitFor({ state: 'detached' });
  });

  it('shows an app: charts drawn from the history, and a line it prints in the live log view', async () => {
    await page.goto(`${web.base}/#/app/api`);
    await page.locator('h1', { hasText: 'api' }).waitFor();
    // uPlot draws each line on a canvas (one colour per instance): look for coloured pixels.
    const drawn = await waitFor(
      async () => {
        const n = await page.evaluate(() => {
          const fig = Array.from(document.querySelectorAll('.chart')).find((f) =>
            f.textContent?.startsWith('Memory'),
          );
          const c = fig?.querySelector('canvas');
          const ctx = c?.getContext('2d');
          if (!c || !ctx) return 0;
          const d = ctx.getImageData(0, 0, c.width, c.height).data;
          let n = 0;
          // The axes, grid and labels are grey; the lines are the only saturated pixels.
          for (let i = 0; i < d.length; i += 4) {
            const hi = Math.max(d[i]!, d[i + 1]!, d[i + 2]!);
            const lo = Math.min(d[i]!, d[i + 1]!, d[i + 2]!);
            if (d[i + 3]! > 128 && hi - lo > 100) n += 1;
          }
          return n;
        });
        return n > 20 ? n : 0;
      },
      'a drawn chart line',
      15_000,
    );
    assert.ok(drawn > 20, `${drawn} line pixels`);
    await shot(page, 'dashboard-app.png');

    await page.goto(`${web.base}/#/app/worker`);
    const log = page.locator('[data-testid=log-view]');
    await log.waitFor();
    // Wait until the page follows the app's output, then make the app print.
    const marker = `hello-from-the-test-${Date.now()}`;
    await waitFor(
      async () => {
        await home.ok(['send', 'worker', marker]);
        return (await log.textContent())?.includes(`got: ${marker}`);
      },
      'the line in the log view',
      15_000,
      500,
    );
    await page.getByLabel('Search the logs').fill(marker);
    assert.equal((await log.locator('mark').count()) > 0, true);
  });

  it('shows the events timeline', async () => {
    await page.goto(`${web.base}/#/events`);
    await page.locator('[data-testid=events] tbody tr', { hasText: 'mailer' }).first().waitFor();
    await shot(page, 'dashboard-events.png');
  });

  it('works on a phone-sized screen in dark mode', async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      colorScheme: 'dark',
      isMobile: true,
    });
    const p = await phone.newPage();
    await p.goto(web.adminUrl);
    await p.locator('tr[data-name="worker"]').waitFor();
    // The row buttons give way to the columns that matter (they stay on each app's page).
    assert.equal(await p.locator('td.row-actions').first().isVisible(), false);
    const bg = await p.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, 'rgb(13, 17, 23)', 'the dark theme follows the system');
    const overflow = await p.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the phone`);
    await shot(p, 'dashboard-phone-dark.png');
    await phone.close();
  });

  it('a read-only session sees everything but cannot act: no buttons, and the API says 403', async () => {
    const ro = await browser.newContext();
    const p = await ro.newPage();
    await p.goto(web.readUrl);
    await p.locator('tr[data-name="api"]').first().waitFor();
    assert.equal(await p.locator('[data-testid=role]').textContent(), 'read-only');
    assert.equal(await p.getByRole('button', { name: /^restart/ }).count(), 0);
    const before = (await restarts('api')) ?? 0;
    const status = await p.evaluate(async () => {
      const s = (await (await fetch('/api/session')).json()) as { csrf: string };
      const r = await fetch('/api/processes/api/restart', {
        method: 'POST',
        headers: { 'X-CSRF-Token': s.csrf },
      });
      return r.status;
    });
    assert.equal(status, 403);
    assert.equal(await restarts('api'), before);
    await ro.close();
  });

  it('without a token: the page says how to log in, and the API answers 401', async () => {
    const anon = await browser.newContext();
    const p = await anon.newPage();
    await p.goto(web.base);
    await p.getByText('Not logged in').waitFor();
    const status = await p.evaluate(async () => (await fetch('/api/processes')).status);
    assert.equal(status, 401);
    await anon.close();
  });

  it('refuses a POST from another origin, even with the session cookie', async () => {
    // An attacker's page on another port of the same host: same site, so the cookie goes along.
    const port = await freePort();
    const target = `${web.base}/api/processes/api/restart`;
    const evil: Server = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(
        `<script>fetch(${JSON.stringify(target)}, {method: 'POST', mode: 'no-cors', credentials: 'include', body: 'x'})</script>`,
      );
    });
    await new Promise<void>((r) => evil.listen(port, '127.0.0.1', () => r()));
    try {
      const before = (await restarts('api')) ?? 0;
      const p = await admin.newPage();
      const answered = p.waitForResponse((r) => r.url() === target);
      await p.goto(`http://127.0.0.1:${port}/`);
      const res = await answered;
      assert.equal(res.status(), 403);
      assert.equal(await restarts('api'), before);
      await p.close();
    } finally {
      evil.close();
    }
  });

  it('tells an open page when its session ended with a restarted web server', async () => {
    const status = async () => /\(pid (\d+)\)/.exec((await home.ok(['web', '--status'])).stdout)?.[1];
    const pid = Number(await status());
    await page.goto(`${web.base}/#/`);
    await page.locator('tr[data-name="api"]').first().waitFor();
    process.kill(pid, 'SIGKILL');
    await page.getByRole('alert').filter({ hasText: 'The session ended' }).waitFor({ timeout: 20_000 });
  });
});
