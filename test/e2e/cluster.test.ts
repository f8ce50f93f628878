import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import autocannon from 'autocannon';
import { alive, APPS, Home, ROOT, tmpDir, waitFor } from '../helpers.js';

const hasPython = (() => {
  try {
    execFileSync('python3', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

const port = () => 20000 + Math.floor(Math.random() * 30000);

/** One request on a fresh connection; resolves with the body (a pid) or rejects. */
function get(p: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: p, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () =>
        res.statusCode === 200 ? resolve(body) : reject(new Error(`status ${res.statusCode}`)),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

async function pidsServing(p: number, n = 40): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i += 1) seen.add(await get(p));
  return seen;
}

/** Runs `fn` while a load generator drives the app; returns the load result. */
async function underLoad(p: number, seconds: number, fn: () => Promise<void>) {
  const load = autocannon({ url: `http://127.0.0.1:${p}/`, connections: 10, duration: seconds, timeout: 5 });
  await new Promise((r) => setTimeout(r, 500));
  await fn();
  return load;
}

describe('cluster mode for an unmodified Node app', () => {
  const home = new Home();
  const p = port();
  const failFile = join(tmpDir(), 'fail');
  after(() => home.cleanup());
  const env = { PORT: String(p), FAIL_FILE: failFile };

  it('shares one port across instances and balances new connections', async () => {
    // A generous listen_timeout: a reloaded process must start under the load of the whole suite.
    await home.ok(
      ['start', join(APPS, 'http-plain.js'), '-i', '2', '--name', 'web', '--listen-timeout', '15s'],
      { env },
    );
    const list = await home.jlist();
    assert.deepEqual(
      list.map((e) => e.pm2_env.exec_mode),
      ['cluster_mode', 'cluster_mode'],
    );
    await waitFor(() => get(p).then(() => true), 'serving');
    const seen = await waitFor(async () => {
      const s = await pidsServing(p);
      return s.size === 2 ? s : undefined;
    }, 'both instances answer');
    assert.deepEqual([...seen].sort(), list.map((e) => String(e.pid)).sort());
  });

  it('reloads five times under load with zero failed requests, and new pids', async () => {
    const before = (await home.jlist()).map((e) => e.pid);
    const res = await underLoad(p, 10, async () => {
      for (let k = 0; k < 5; k += 1) await home.ok(['reload', 'web']);
    });
    assert.ok(res.requests.total > 500, `only ${res.requests.total} requests`);
    assert.deepEqual(
      { errors: res.errors, timeouts: res.timeouts, non2xx: res.non2xx },
      { errors: 0, timeouts: 0, non2xx: 0 },
    );
    const afterList = await home.jlist();
    for (const e of afterList) {
      assert.ok(!before.includes(e.pid));
      assert.equal(e.pm2_env.status, 'online');
      assert.equal(e.pm2_env.restart_time, 5);
    }
    for (const pid of before) assert.equal(alive(pid), false);
  });

  it('aborts a reload to a version that does not start, and keeps the old processes serving', async () => {
    const before = (await home.jlist()).map((e) => e.pid);
    writeFileSync(failFile, 'x');
    try {
      const r = await home.run(['reload', 'web'], { env });
      assert.equal(r.code, 1);
      assert.match(r.stderr, /reload of web \(id 0\) failed: the new process exited before it was ready/);
      assert.match(r.stderr, /bad version: refusing to start/);
      assert.match(r.stderr, /old processes keep serving/);
      assert.deepEqual(
        (await home.jlist()).map((e) => e.pid),
        before,
      );
      assert.ok((await pidsServing(p, 10)).size >= 1);
    } finally {
      (await import('node:fs')).rmSync(failFile);
    }
  });

  it('scales up and down (also -N), gracefully', async () => {
    await home.ok(['scale', 'web', '4']);
    let list = await home.jlist();
    assert.equal(list.length, 4);
    assert.deepEqual(
      list.map((e) => e.pm2_env.NODE_APP_INSTANCE),
      [0, 1, 2, 3],
    );
    await waitFor(async () => (await pidsServing(p, 60)).size === 4, 'four instances serve');
    await home.ok(['scale', 'web', '-3']);
    list = await home.jlist();
    assert.equal(list.length, 1);
    await home.ok(['scale', 'web', '+1']);
    assert.equal((await home.jlist()).length, 2);
    const bad = await home.run(['scale', 'web', '-5']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /would have -3 instances/);
  });

  it('a crashed instance does not affect the others', async () => {
    const [a, b] = await home.jlist();
    assert.ok(a && b);
    process.kill(a.pid, 'SIGKILL');
    // Every request from now on is answered (by b, then by a's replacement too).
    for (let i = 0; i < 20; i += 1) assert.match(await get(p), /^\d+$/);
    await waitFor(async () => {
      const e = (await home.jlist()).find((x) => x.pm_id === a.pm_id);
      return e?.pm2_env.status === 'online' && e.pid !== a.pid;
    }, 'replacement online');
    assert.equal((await home.jlist()).find((x) => x.pm_id === b.pm_id)?.pid, b.pid);
  });
});

describe('shared socket for any language', () => {
  const home = new Home();
  after(() => home.cleanup());

  it(
    'a Python app shares its port and reloads under load with zero failed requests',
    { skip: !hasPython && 'python3 missing' },
    async () => {
      const p = port();
      await home.ok([
        'start',
        join(ROOT, 'examples/python/server.py'),
        '-i',
        '2',
        '--name',
        'py',
        '--listen',
        `127.0.0.1:${p}`,
        '--kill-signal',
        'SIGTERM',
      ]);
      const list = await home.jlist();
      assert.equal(list.length, 2);
      await waitFor(() => get(p).then(() => true), 'python serving', 15_000);
      const res = await underLoad(p, 8, async () => {
        for (let k = 0; k < 2; k += 1) await home.ok(['reload', 'py']);
      });
      assert.ok(res.requests.total > 100, `only ${res.requests.total} requests`);
      assert.deepEqual(
        { errors: res.errors, timeouts: res.timeouts, non2xx: res.non2xx },
        { errors: 0, timeouts: 0, non2xx: 0 },
      );
      for (const e of await home.jlist()) assert.equal(e.pm2_env.restart_time, 2);
    },
  );

  it('passes the socket as fd 3 with LISTEN_FDS, LISTEN_PID and LISTEN_FDNAMES', async () => {
    const p = port();
    const out = join(tmpDir(), 'env.json');
    writeFileSync(join(tmpDir(), 'x'), '');
    const app = join(tmpDir(), 'fd.js');
    writeFileSync(
      app,
      `require('fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify({pid: process.pid, fds: process.env.LISTEN_FDS, lpid: process.env.LISTEN_PID, names: process.env.LISTEN_FDNAMES}));
       require('http').createServer((q, r) => r.end('fd3')).listen({ fd: 3 });`,
    );
    await home.ok(['start', app, '--name', 'fd', '--listen', String(p), '--no-agent']);
    await waitFor(() => get(p).then((b) => b === 'fd3'), 'serves on fd 3');
    const rep = JSON.parse((await import('node:fs')).readFileSync(out, 'utf8')) as Record<string, unknown>;
    assert.equal(rep.fds, '1');
    assert.equal(rep.lpid, String(rep.pid));
    assert.equal(rep.names, `127.0.0.1:${p}`);
  });
});
