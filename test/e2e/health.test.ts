import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { APPS, Home, readText, tmpDir, waitFor, type JlistEntry } from '../helpers.js';

type History = Array<{ event: string; reason?: string }>;
const history = (e: JlistEntry | undefined): History =>
  (e?.steward as { history: History } | undefined)?.history ?? [];
const port = () => 20000 + Math.floor(Math.random() * 30000);

describe('readiness', () => {
  const home = new Home();
  after(() => home.cleanup());
  const entry = async (name: string) => (await home.jlist()).find((e) => e.name === name);

  for (const via of ['message', 'fd', 'log'] as const) {
    it(`is launching until the app says it is ready (${via}), and start waits for it`, async () => {
      const name = `ready-${via}`;
      const args = ['start', join(APPS, 'ready.js'), '--name', name];
      if (via === 'log') args.push('--ready-pattern', 'READY to serve');
      else args.push('--wait-ready');
      const t0 = Date.now();
      await home.ok(args, { env: { READY_VIA: via, READY_MS: '600' } });
      assert.ok(Date.now() - t0 >= 550, 'start returned before the app was ready');
      const e = await entry(name);
      assert.equal(e?.pm2_env.status, 'online');
      const h = history(e);
      assert.ok(h.some((x) => x.event === 'spawned' && /waiting until ready/.test(x.reason ?? '')));
      assert.equal(h[h.length - 1]?.reason, 'ready');
    });
  }

  it('puts an app that never says it is ready online after listen_timeout, with a warning (as PM2)', async () => {
    const r = await home.ok(
      ['start', join(APPS, 'ready.js'), '--name', 'never', '--wait-ready', '--listen-timeout', '400ms'],
      {
        env: { READY_VIA: 'never' },
      },
    );
    assert.match(r.stderr, /never \(id \d+\) did not say it was ready within listen_timeout/);
    const e = await entry('never');
    assert.equal(e?.pm2_env.status, 'online');
    assert.match(history(e).at(-1)?.reason ?? '', /not ready after listen_timeout 400ms/);
  });

  it('uses a TCP probe', async () => {
    const p = port();
    await home.ok(
      ['start', join(APPS, 'port.js'), '--name', 'probed', '--ready-probe', `tcp://127.0.0.1:${p}`],
      {
        env: { PORT: String(p) },
      },
    );
    assert.equal((await entry('probed'))?.pm2_env.status, 'online');
    assert.equal(history(await entry('probed')).at(-1)?.reason, 'ready');
  });
});

describe('health checks', () => {
  const home = new Home();
  after(() => home.cleanup());

  it('restarts a hung server that still holds its port, and records why', async () => {
    const p = port();
    const hang = join(tmpDir(), 'hang');
    const config = {
      apps: [
        {
          name: 'hung',
          script: join(APPS, 'hung-server.js'),
          env: { PORT: String(p), HANG_FILE: hang },
          health_check: {
            url: `http://127.0.0.1:${p}/health`,
            interval: '150ms',
            timeout: '150ms',
            failure_threshold: 2,
          },
          kill_timeout: '300ms',
        },
      ],
    };
    const dir = tmpDir();
    writeFileSync(join(dir, 'hc.config.json'), JSON.stringify(config));
    await home.ok(['start', 'hc.config.json'], { cwd: dir });
    const first = (await home.jlist())[0];
    // Healthy: no restart for a while.
    await waitFor(() => readText(join(home.dir, 'logs/hung-out.log')).includes('listening'), 'listening');
    writeFileSync(hang, 'x');
    const restarted = await waitFor(async () => {
      const e = (await home.jlist())[0];
      return e && e.pid !== first?.pid && e.pm2_env.status === 'online' ? e : undefined;
    }, 'restart after failed checks');
    assert.match(
      history(restarted)
        .map((h) => `${h.event}: ${h.reason ?? ''}`)
        .join('\n'),
      /guard: health check failed 2 times in a row \(http http:\/\/127\.0\.0\.1:\d+\/health: no answer within 150ms\)/,
    );
    const show = await home.ok(['show', 'hung']);
    assert.match(show.stdout, /health check failed/);
  });

  it('refuses bad probes and intervals at start, starting nothing', async () => {
    const dir = tmpDir();
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [
        { url: 'ftp://127.0.0.1/x' },
        /health_check\.url: expected an http:\/\/ or https:\/\/ URL, got "ftp:\/\/127\.0\.0\.1\/x"/,
      ],
      [
        { url: 'http://127.0.0.1:1/', interval: '-5s' },
        /health_check\.interval: expected a duration ≥ 1ms, got "-5s"/,
      ],
      [
        { tcp: '127.0.0.1:1', command: 'true' },
        /health_check: give exactly one of url, tcp or command \(got 2\)/,
      ],
    ];
    for (const [hc, re] of cases) {
      writeFileSync(
        join(dir, 'bad.config.json'),
        JSON.stringify({ apps: [{ name: 'bad', script: join(APPS, 'forever.js'), health_check: hc }] }),
      );
      const r = await home.run(['start', 'bad.config.json'], { cwd: dir });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, re);
    }
    const cron = await home.run([
      'start',
      join(APPS, 'forever.js'),
      '--name',
      'badcron',
      '--cron-restart',
      '61 * * * *',
    ]);
    assert.equal(cron.code, 2);
    assert.match(cron.stderr, /--cron-restart: invalid cron expression "61 \* \* \* \*"/);
    const watch = await home.run([
      'start',
      join(APPS, 'forever.js'),
      '--name',
      'badwatch',
      '--watch',
      '/nonexistent/dir',
    ]);
    assert.equal(watch.code, 2);
    assert.match(watch.stderr, /--watch: \/nonexistent\/dir does not exist/);
    assert.deepEqual(
      (await home.jlist()).map((e) => e.name),
      ['hung'],
    );
  });
});

describe('memory limit and cron', () => {
  const home = new Home();
  after(() => home.cleanup());

  it('restarts a fast leaker soon after it passes max_memory_restart (whole tree)', async () => {
    const report = join(tmpDir(), 'rss');
    await home.ok(
      [
        'start',
        join(APPS, 'leaker.js'),
        '--name',
        'leak',
        '--max-memory-restart',
        '150M',
        '--memory-check-interval',
        '200ms',
      ],
      {
        env: { REPORT_FILE: report, LEAK_MB_PER_S: '50' },
      },
    );
    const e = await waitFor(
      async () => {
        const x = (await home.jlist())[0];
        return x && history(x).some((h) => h.event === 'guard') ? x : undefined;
      },
      'memory restart',
      15_000,
    );
    const guard = history(e).find((h) => h.event === 'guard');
    assert.match(guard?.reason ?? '', /memory \d+MB over max_memory_restart 150MB/);
    const peak = Math.max(...readText(report).trim().split('\n').map(Number));
    assert.ok(
      peak < 250 * 1024 * 1024,
      `the leaker reached ${Math.round(peak / 1048576)} MB before the restart`,
    );
  });

  it('a restart during the start’s crash watch is not reported as a failed start', async () => {
    // Without the agent the watch lasts the whole settle time: 3 s here, time to restart in it.
    const start = home.run(['start', join(APPS, 'forever.js'), '--name', 'settling', '--no-agent'], {
      env: { STEWARD_START_SETTLE_MS: '3000' },
    });
    await waitFor(
      async () => (await home.jlist()).some((e) => e.name === 'settling' && e.pm2_env.status === 'online'),
      'settling online',
    );
    await home.ok(['restart', 'settling']);
    const r = await start;
    assert.equal(r.code, 0, r.stderr);
    await home.ok(['delete', 'settling']);
  });

  it('restarts on a cron schedule, with the reason', async () => {
    await home.ok([
      'start',
      join(APPS, 'forever.js'),
      '--name',
      'cronned',
      '--cron-restart',
      '*/1 * * * * *',
    ]);
    const e = await waitFor(
      async () => {
        const x = (await home.jlist()).find((y) => y.name === 'cronned');
        return x && x.pm2_env.restart_time >= 2 ? x : undefined;
      },
      'two cron restarts',
      // Each restart stops and starts a process: under CI load two of them took over 10 s once.
      20_000,
    );
    assert.ok(history(e).some((h) => /cron_restart \*\/1 \* \* \* \* \*/.test(h.reason ?? '')));
    assert.equal(e.pm2_env.cron_restart, '*/1 * * * * *');
  });
});

describe('watch', () => {
  const home = new Home();
  after(() => home.cleanup());

  it('restarts once for a burst of 1000 changes, ignores node_modules, and stops when toggled off', async () => {
    const dir = tmpDir();
    copyFileSync(join(APPS, 'forever.js'), join(dir, 'app.js'));
    writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}');
    mkdirSync(join(dir, 'src'));
    mkdirSync(join(dir, 'node_modules'));
    await home.ok(['start', join(dir, 'app.js'), '--name', 'w', '--watch', '--watch-delay', '300ms'], {
      cwd: dir,
    });
    const e0 = (await home.jlist())[0];
    // As PM2 shows it: `--watch` without paths is `watch: true`.
    assert.equal(e0?.pm2_env.watch, true);
    // `start` returns once the watcher has walked the tree: no wait needed.
    writeFileSync(join(dir, 'node_modules', 'dep.js'), 'x');
    for (let i = 0; i < 1000; i += 1) writeFileSync(join(dir, 'src', `f${i % 50}.js`), String(i));
    const e1 = await waitFor(async () => {
      const x = (await home.jlist())[0];
      return x && x.pm2_env.restart_time >= 1 && x.pm2_env.status === 'online' ? x : undefined;
    }, 'watch restart');
    // Quiet now: no second restart.
    await new Promise((r) => setTimeout(r, 1200));
    const e2 = (await home.jlist())[0];
    assert.equal(e2?.pm2_env.restart_time, 1);
    assert.match(
      history(e1)
        .map((h) => h.reason ?? '')
        .join('\n'),
      /watch: .*src\/f\d+\.js \(\+\d+ more\) changed/,
    );
    // node_modules alone restarts nothing.
    writeFileSync(join(dir, 'node_modules', 'dep2.js'), 'x');
    await new Promise((r) => setTimeout(r, 800));
    assert.equal((await home.jlist())[0]?.pm2_env.restart_time, 1);
    // stop --watch turns it off.
    await home.ok(['stop', 'w', '--watch']);
    assert.equal((await home.jlist())[0]?.pm2_env.watch, false);
  });

  it('detects an app that writes into its own watched tree, reports it and stops watching', async () => {
    const dir = tmpDir();
    copyFileSync(join(APPS, 'self-writer.js'), join(dir, 'app.js'));
    writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}');
    const count = join(tmpDir(), 'count');
    await home.ok(['start', join(dir, 'app.js'), '--name', 'loop', '--watch'], {
      cwd: dir,
      env: { COUNT_FILE: count },
    });
    const e = await waitFor(
      async () => {
        const x = (await home.jlist()).find((y) => y.name === 'loop');
        return x && x.pm2_env.watch === false ? x : undefined;
      },
      'loop detected',
      30_000,
    );
    assert.match(
      history(e)
        .map((h) => h.reason ?? '')
        .join('\n'),
      /watch restart loop: .*state\.txt changed right after each start/,
    );
    const starts = readFileSync(count, 'utf8').trim().split('\n').length;
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal(
      readFileSync(count, 'utf8').trim().split('\n').length,
      starts,
      'no restart after the loop was detected',
    );
  });
});
