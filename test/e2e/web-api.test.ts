import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { request as httpsRequest } from 'node:https';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { alive, APPS, Home, waitFor } from '../helpers.js';
import { selfSignedCert } from './notify-support.js';
import { errorCode, freePort, http, startWeb, type WebUrls } from './web-support.js';

/** The HTTP API of `steward web` with plain requests: auth, bad requests, and its life beside the daemon. */
describe('steward web: the HTTP API', () => {
  const home = new Home();
  let web: WebUrls;
  let port = 0;

  const restarts = async (name: string) =>
    (await home.jlist()).find((e) => e.name === name)?.pm2_env.restart_time;
  const webPid = async () =>
    Number(/\(pid (\d+)\)/.exec((await home.ok(['web', '--status'])).stdout)?.[1] ?? 0);

  before(async () => {
    // The daemon (started by this first command) passes the short header timeout on to the web server.
    await home.ok(['start', join(APPS, 'forever.js'), '--name', 'api'], {
      env: { STEWARD_WEB_HEADERS_TIMEOUT_MS: '1000', SECRET_TOKEN: 'hunter2-secret' },
    });
    port = await freePort();
    web = await startWeb(home, ['--port', String(port)]);
  });
  after(() => home.cleanup());

  it('prints a URL with the admin token; tokens and settings are private files', () => {
    assert.equal(web.base, `http://127.0.0.1:${port}`);
    assert.match(web.admin, /^[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
    assert.notEqual(web.admin, web.read);
    for (const f of ['web.token', 'web-readonly.token', 'web.json']) {
      assert.equal(statSync(join(home.dir, f)).mode & 0o777, 0o600, f);
    }
  });

  it('`steward web` again with the same settings keeps the running server', async () => {
    const pid = await webPid();
    const again = await startWeb(home, ['--port', String(port)]);
    assert.equal(again.adminUrl, web.adminUrl);
    assert.equal(await webPid(), pid);
  });

  it('refuses a request without a token (401) and slows down wrong tokens', async () => {
    const none = await http(port, 'GET', '/api/processes');
    assert.equal(none.status, 401);
    assert.equal(errorCode(none), 'E_UNAUTHORIZED');
    const t0 = Date.now();
    const bad1 = await http(port, 'GET', '/api/processes', { token: 'x'.repeat(43) });
    const t1 = Date.now();
    const bad2 = await http(port, 'GET', '/api/processes', { token: 'y' });
    const t2 = Date.now();
    assert.equal(bad1.status, 401);
    assert.equal(bad2.status, 401);
    assert.ok(t1 - t0 >= 200, `first failure answered after ${t1 - t0} ms`);
    assert.ok(t2 - t1 >= 450, `second failure answered after ${t2 - t1} ms (back-off)`);
    // Guesses in parallel: while one failure is waited out, the others are refused at once.
    const burst = await Promise.all([1, 2, 3].map(() => http(port, 'GET', '/api/rows', { token: 'z' })));
    assert.deepEqual(burst.map((r) => r.status).sort(), [401, 429, 429]);
    // The right token still works at once (and clears the back-off).
    assert.equal((await http(port, 'GET', '/api/rows', { token: web.admin })).status, 200);
  });

  it('GET /api/processes is the jlist shape, with environment values hidden unless an admin asks', async () => {
    const r = await http(port, 'GET', '/api/processes', { token: web.admin });
    assert.equal(r.status, 200);
    const list = r.json as Array<{
      name: string;
      pm_id: number;
      pm2_env: { status: string; env: Record<string, string> };
    }>;
    assert.equal(list[0]?.name, 'api');
    assert.equal(list[0]?.pm2_env.status, 'online');
    assert.equal(list[0]?.pm2_env.env.SECRET_TOKEN, '(hidden)');
    assert.ok(!r.text.includes('hunter2-secret'), 'no environment value in the default answer');
    const shown = await http(port, 'GET', '/api/processes?env=1', { token: web.admin });
    assert.ok(shown.text.includes('hunter2-secret'));
    const ro = await http(port, 'GET', '/api/processes?env=1', { token: web.read });
    assert.equal(ro.status, 403);
    assert.equal((await http(port, 'GET', '/api/processes/api/env', { token: web.read })).status, 403);
    const roList = await http(port, 'GET', '/api/processes/api', { token: web.read });
    assert.equal(roList.status, 200);
    assert.ok(!roList.text.includes('hunter2-secret'));
  });

  it('POST /api/processes/<name>/restart with the bearer token restarts it; the read-only token gets 403', async () => {
    const before = await restarts('api');
    const r = await http(port, 'POST', '/api/processes/api/restart', { token: web.admin });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual((r.json as { ids: number[] }).ids, [0]);
    assert.equal(await restarts('api'), (before ?? 0) + 1);
    const ro = await http(port, 'POST', '/api/processes/api/restart', { token: web.read });
    assert.equal(ro.status, 403);
    assert.equal(errorCode(ro), 'E_FORBIDDEN');
    assert.equal(await restarts('api'), (before ?? 0) + 1);
  });

  it('refuses cross-origin changes, a foreign Host, and cookie changes without the CSRF token', async () => {
    const evil = await http(port, 'POST', '/api/processes/api/restart', {
      token: web.admin,
      headers: { Origin: 'http://evil.example' },
    });
    assert.equal(evil.status, 403);
    assert.equal(errorCode(evil), 'E_ORIGIN');
    const site = await http(port, 'POST', '/api/processes/api/stop', {
      token: web.admin,
      headers: { 'Sec-Fetch-Site': 'cross-site' },
    });
    assert.equal(site.status, 403);
    const rebound = await http(port, 'GET', '/api/rows', {
      token: web.admin,
      headers: { Host: 'evil.example' },
    });
    assert.equal(rebound.status, 421);

    const login = await http(port, 'POST', '/api/session', {
      body: JSON.stringify({ token: web.admin }),
      headers: { Origin: web.base },
    });
    assert.equal(login.status, 200);
    const setCookie = String(login.headers['set-cookie']?.[0] ?? '');
    assert.match(setCookie, /HttpOnly/);
    assert.match(setCookie, /SameSite=Strict/);
    const cookie = setCookie.split(';')[0] ?? '';
    const csrf = (login.json as { csrf: string }).csrf;
    const noCsrf = await http(port, 'POST', '/api/processes/api/reset', {
      headers: { Cookie: cookie, Origin: web.base },
    });
    assert.equal(errorCode(noCsrf), 'E_CSRF');
    const noOrigin = await http(port, 'POST', '/api/processes/api/reset', {
      headers: { Cookie: cookie, 'X-CSRF-Token': csrf },
    });
    assert.equal(errorCode(noOrigin), 'E_ORIGIN');
    const ok = await http(port, 'POST', '/api/processes/api/reset', {
      headers: { Cookie: cookie, Origin: web.base, 'X-CSRF-Token': csrf },
    });
    assert.equal(ok.status, 200, ok.text);
    const badLogin = await http(port, 'POST', '/api/session', { body: JSON.stringify({ token: 'nope' }) });
    assert.equal(badLogin.status, 401);
  });

  it("triggers an app's agent action and answers each instance's reply", async () => {
    await home.ok(['start', join(APPS, 'pmio.js'), '--name', 'pmio']);
    await waitFor(async () => {
      const r = await http(port, 'GET', '/api/processes/pmio', { token: web.read });
      return r.text.includes('"action_name":"echo"');
    }, 'the app to declare its actions');
    const body = JSON.stringify({ params: 'hi' });
    const ro = await http(port, 'POST', '/api/processes/pmio/actions/echo', { token: web.read, body });
    assert.equal(ro.status, 403);
    const r = await http(port, 'POST', '/api/processes/pmio/actions/echo', { token: web.admin, body });
    assert.equal(r.status, 200, r.text);
    const [reply] = r.json as Array<{ name: string; ok: boolean; return: unknown }>;
    assert.equal(reply?.ok, true);
    assert.deepEqual(reply?.return, { got: 'hi' });
    await home.ok(['delete', 'pmio']);
  });

  it('answers bad requests with a JSON error and a status code', async () => {
    const t = { token: web.admin };
    const cases: Array<[Promise<Awaited<ReturnType<typeof http>>>, number, string]> = [
      [http(port, 'POST', '/api/processes/api/scale', { ...t, body: '{"instances": ' }), 400, 'E_BAD_JSON'],
      [
        http(port, 'POST', '/api/processes/api/scale', {
          ...t,
          body: JSON.stringify({ instances: 'x'.repeat(100_000) }),
        }),
        413,
        'E_TOO_LARGE',
      ],
      [http(port, 'POST', '/api/processes/api/scale', { ...t, body: '{}' }), 400, 'E_BAD_REQUEST'],
      [http(port, 'GET', '/api/nothing/here', t), 404, 'E_NOT_FOUND'],
      [http(port, 'POST', '/api/processes/ghost/restart', t), 404, 'E_APP_NOT_FOUND'],
      [http(port, 'POST', '/api/processes/api/explode', t), 404, 'E_NOT_FOUND'],
      [http(port, 'DELETE', '/api/processes', t), 405, 'E_METHOD'],
      [http(port, 'GET', '/api/processes/api/logs?lines=-3', t), 400, 'E_BAD_REQUEST'],
      [
        http(port, 'POST', '/api/processes/api/restart', {
          ...t,
          body: 'a=1',
          headers: { 'Content-Type': 'text/plain' },
        }),
        415,
        'E_BAD_REQUEST',
      ],
    ];
    for (const [p, status, code] of cases) {
      const r = await p;
      assert.equal(r.status, status, r.text);
      assert.equal(errorCode(r), code, r.text);
      assert.match(String(r.headers['content-type']), /application\/json/);
    }
    assert.equal((await home.jlist())[0]?.pm2_env.status, 'online', 'nothing happened to the app');
  });

  it('times out a client that never finishes its request, and keeps serving meanwhile', async () => {
    const s = connect(port, '127.0.0.1');
    s.write('GET /api/rows HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ');
    const closed = new Promise<string>((resolve) => {
      let got = '';
      s.on('data', (d: Buffer) => (got += d.toString()));
      s.on('close', () => resolve(got));
    });
    const t0 = Date.now();
    const meanwhile = await http(port, 'GET', '/api/rows', { token: web.admin });
    assert.equal(meanwhile.status, 200);
    const got = await closed;
    assert.match(got, /^HTTP\/1\.1 408/);
    assert.ok(Date.now() - t0 < 5000, `closed after ${Date.now() - t0} ms`);
    assert.equal((await home.ok(['ping'])).code, 0);
  });

  it('streams the table as server-sent events', async () => {
    const frames = await new Promise<string>((resolve, reject) => {
      const s = connect(port, '127.0.0.1');
      let got = '';
      s.on('data', (d: Buffer) => {
        got += d.toString();
        if (got.includes('event: table')) {
          s.destroy();
          resolve(got);
        }
      });
      s.on('error', reject);
      s.write(`GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${web.read}\r\n\r\n`);
    });
    assert.match(frames, /text\/event-stream/);
    assert.match(frames, /event: hello\ndata: \{"id":"[\w-]+","role":"read"/);
    assert.match(frames, /event: table\ndata: .*"name":"api"/);
  });

  it('keeps a metrics history per instance', async () => {
    const r = await waitFor(async () => {
      const h = await http(port, 'GET', '/api/processes/api/history', { token: web.read });
      const cpu =
        (h.json as Array<{ fine: { series: { memory?: Array<number | null> } } }>)[0]?.fine.series.memory ??
        [];
      return cpu.filter((v) => v !== null).length >= 2 ? h : undefined;
    }, 'two seconds of history');
    const h = (r.json as Array<{ pm_id: number; fine: { step_ms: number }; coarse: { step_ms: number } }>)[0];
    assert.equal(h?.fine.step_ms, 1000);
    assert.equal(h?.coarse.step_ms, 10_000);
  });

  it('shows the notification channels, a failing one with its error but never its address', async () => {
    const none = await http(port, 'GET', '/api/notifications', { token: web.read });
    assert.equal(none.status, 200);
    assert.ok((none.json as Array<{ configured: boolean }>).every((c) => !c.configured));
    // Port 1 on loopback refuses: the test message fails, then the channel shows it.
    const secret = 'http://127.0.0.1:1/hooks/s3cr3t-path';
    await home.ok(['set', 'notify.webhook', secret]);
    try {
      await home.run(['notify', 'test', 'webhook']);
      const r = await waitFor(async () => {
        const got = await http(port, 'GET', '/api/notifications', { token: web.read });
        const hook = (got.json as Array<{ channel: string; configured: boolean; last_error?: string }>).find(
          (c) => c.channel === 'webhook',
        );
        return hook?.configured && hook.last_error ? got : undefined;
      }, 'the webhook channel with its last error');
      assert.doesNotMatch(r.text, /s3cr3t/);
    } finally {
      await home.ok(['unset', 'notify.webhook']);
    }
  });

  it('is brought back when it crashes, without disturbing the daemon', async () => {
    const pid = await webPid();
    const daemon = home.daemonPid();
    process.kill(pid, 'SIGKILL');
    const next = await waitFor(async () => {
      const p = await webPid();
      return p !== pid && p > 0 ? p : undefined;
    }, 'a new web server');
    assert.ok(alive(next));
    assert.equal(home.daemonPid(), daemon);
    await waitFor(
      async () => (await http(port, 'GET', '/api/rows', { token: web.admin })).status === 200,
      'the API again',
    );
  });

  it('comes back with the daemon after `steward update`, on the same port and token', async () => {
    const pid = await webPid();
    await home.ok(['update']);
    await waitFor(
      async () => (await http(port, 'GET', '/api/rows', { token: web.admin })).status === 200,
      'the API after update',
      15_000,
    );
    assert.notEqual(await webPid(), pid);
    assert.ok(!alive(pid), 'the old web server is gone');
  });

  it('goes with a daemon killed by SIGKILL, and comes back with the next one', async () => {
    const pid = await webPid();
    process.kill(home.daemonPid() ?? 0, 'SIGKILL');
    await waitFor(() => !alive(pid), 'the web server to exit with its daemon');
    await home.ok(['ping']);
    await waitFor(
      async () =>
        (await http(port, 'GET', '/api/rows', { token: web.admin }).catch(() => undefined))?.status === 200,
      'the API with the new daemon',
      15_000,
    );
  });

  it('is saved with `save` and brought back by `resurrect`', async () => {
    await home.ok(['save']);
    await home.ok(['web', '--stop']);
    await assert.rejects(http(port, 'GET', '/api/rows'));
    await home.ok(['resurrect']);
    assert.equal((await http(port, 'GET', '/api/rows', { token: web.admin })).status, 200);
  });

  it('a start that fails (port taken) says why and leaves the running server as it was', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    try {
      const busy = (taken.address() as AddressInfo).port;
      const r = await home.run(['web', '--port', String(busy)]);
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /EADDRINUSE/);
      assert.match(r.stderr, /choose another with --port/);
      await waitFor(
        async () =>
          (await http(port, 'GET', '/api/rows', { token: web.admin }).catch(() => undefined))?.status === 200,
        'the previous server again',
      );
      assert.match(readFileSync(join(home.dir, 'web.json'), 'utf8'), new RegExp(`"port": ${port}`));
    } finally {
      taken.close();
    }
  });

  it('refuses a non-loopback address without TLS, and half a TLS pair', async () => {
    const r = await home.run(['web', '--host', '0.0.0.0', '--port', String(port)]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /reachable from other machines/);
    assert.match(r.stderr, /--tls-cert/);
    const half = await home.run(['web', '--tls-cert', '/nonexistent.pem']);
    assert.notEqual(half.code, 0);
    assert.match(half.stderr, /go together/);
    const missing = await home.run(['web', '--tls-cert', 'nope.pem', '--tls-key', 'nope.key'], {
      cwd: home.dir,
    });
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, new RegExp(`cannot read --tls-cert ${join(home.dir, 'nope.pem')}: ENOENT`));
    // The running server was not touched.
    assert.equal((await http(port, 'GET', '/api/rows', { token: web.admin })).status, 200);
  });

  it('`steward web --stop` stops it for good', async () => {
    const pid = await webPid();
    await home.ok(['web', '--stop']);
    assert.ok(!alive(pid));
    assert.ok(!existsSync(join(home.dir, 'web.json')));
    await assert.rejects(http(port, 'GET', '/api/rows'));
    assert.match((await home.ok(['web', '--status'])).stdout, /is off/);
  });

  it('serves HTTPS with --tls-cert/--tls-key, with a Secure cookie', async () => {
    const { certPath: cert, keyPath: key } = selfSignedCert();
    const tls = await startWeb(home, ['--port', String(port), '--tls-cert', cert, '--tls-key', key]);
    assert.equal(tls.base, `https://127.0.0.1:${port}`);
    const r = await new Promise<{ status: number; cookie: string }>((resolve, reject) => {
      const req = httpsRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/api/session',
          method: 'POST',
          rejectUnauthorized: false,
          headers: { 'Content-Type': 'application/json' },
        },
        (res) => {
          res.resume();
          resolve({ status: res.statusCode ?? 0, cookie: String(res.headers['set-cookie']?.[0] ?? '') });
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ token: tls.admin }));
    });
    assert.equal(r.status, 200);
    assert.match(r.cookie, /; Secure$/);
  });
});
