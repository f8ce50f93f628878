import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { alive, APPS, markedPids, ROOT, tmpDir, waitFor } from '../helpers.js';

const RUNTIME = join(ROOT, 'bin/steward-runtime.js');

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  const home = tmpDir('stw-');
  const child = spawn(process.execPath, [RUNTIME, ...args], {
    cwd,
    env: { ...process.env, STEWARD_HOME: home, NO_COLOR: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
  return { child, home, exited, out: () => stdout, err: () => stderr };
}

describe('steward-runtime (containers)', () => {
  it('runs the apps in the foreground, prefixes their output, and stops them all on SIGTERM within 10 s', async () => {
    const dir = tmpDir();
    writeFileSync(
      join(dir, 'eco.json'),
      JSON.stringify({
        apps: [
          { name: 'web', script: join(APPS, 'graceful.js'), env: { STOP_MS: '300' } },
          { name: 'stubborn', script: join(APPS, 'ignore-sigint.js'), kill_timeout: '1s' },
        ],
      }),
    );
    const r = run(['start', 'eco.json'], dir);
    await waitFor(
      () => r.out().includes('web | ready') && r.out().includes('stubborn | ready'),
      'apps running',
    );
    const pids = markedPids(r.home);
    assert.ok(pids.length >= 2);
    const t0 = Date.now();
    r.child.kill('SIGTERM');
    assert.equal(await r.exited, 0);
    assert.ok(Date.now() - t0 < 10_000);
    assert.match(r.out(), /web \| stopping on SIGINT/);
    for (const p of pids) assert.equal(alive(p), false);
  });

  it('--raw and --json output, and a non-zero exit once every app has stopped for good', async () => {
    const dir = tmpDir();
    const r = run(['start', join(APPS, 'crash.js'), '--json'], dir, { EXIT_CODE: '3' });
    // crash.js restarts until errored (max_restarts 16 fast exits), then the runtime exits 1.
    assert.equal(await r.exited, 1);
    const lines = r
      .err()
      .split('\n')
      .filter((l) => l.startsWith('{'));
    const first = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>;
    assert.equal(first.app_name, 'crash');
    assert.equal(first.type, 'err');
    assert.match(String(first.message), /failing with code 3/);
    assert.match(r.err(), /every app has stopped/);
  });

  it('steward start --no-daemon is the same runtime', async () => {
    const dir = tmpDir();
    const home = tmpDir('stw-');
    const child = spawn(
      process.execPath,
      [join(ROOT, 'bin/steward.js'), 'start', join(APPS, 'graceful.js'), '--no-daemon'],
      {
        cwd: dir,
        env: { ...process.env, STEWARD_HOME: home },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)));
    await waitFor(() => out.includes('graceful | ready'), 'app running');
    child.kill('SIGINT');
    assert.equal(await exited, 0);
    assert.deepEqual(markedPids(home), []);
  });

  it('refuses a broken file before starting anything', async () => {
    const dir = tmpDir();
    writeFileSync(
      join(dir, 'bad.json'),
      '{ "apps": [ { "name": "x", "script": "x.js", "instances": "lots" } ] }',
    );
    const r = run(['start', 'bad.json'], dir);
    assert.equal(await r.exited, 1);
    assert.match(r.err(), /apps\[0\] \(x\): instances: expected a number or "max", got "lots"/);
  });
});

describe('steward-runtime as PID 1', () => {
  const canUnshare = (() => {
    try {
      execFileSync('unshare', ['--pid', '--fork', '--mount-proc', 'true'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it(
    'reaps orphaned processes and forwards SIGTERM',
    { skip: !canUnshare && 'needs unshare (root) for a PID namespace' },
    async () => {
      const dir = tmpDir();
      writeFileSync(join(dir, 'package.json'), '{"type":"commonjs"}');
      writeFileSync(
        join(dir, 'orphans.js'),
        "const { spawn } = require('child_process');\nsetInterval(() => spawn('sh', ['-c', '(sleep 0.05 &) ; exit 0'], { stdio: 'ignore' }), 100);\nconsole.log('orphaning');\n",
      );
      const home = tmpDir('stw-');
      const u = spawn(
        'unshare',
        ['--pid', '--fork', '--mount-proc', join(ROOT, 'bin/steward-runtime'), 'start', 'orphans.js'],
        {
          cwd: dir,
          env: { ...process.env, STEWARD_HOME: home },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let out = '';
      u.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<number | null>((r) => u.on('exit', (c) => r(c)));
      await waitFor(() => out.includes('orphans | orphaning'), 'app running');
      const pid1 = await waitFor(() => {
        const kids = readFileSync(`/proc/${u.pid}/task/${u.pid}/children`, 'utf8').trim();
        return kids ? Number(kids.split(' ')[0]) : undefined;
      }, 'PID 1 of the namespace');
      assert.equal(readFileSync(`/proc/${pid1}/comm`, 'utf8').trim(), 'bash');
      // Let orphans come and go for a second, then count the zombies PID 1 holds.
      await new Promise((r) => setTimeout(r, 1000));
      const zombies = readdirSync('/proc')
        .filter((n) => /^\d+$/.test(n))
        .filter((n) => {
          try {
            const st = readFileSync(`/proc/${n}/stat`, 'latin1');
            const f = st.slice(st.lastIndexOf(')') + 2).split(' ');
            return f[0] === 'Z' && Number(f[1]) === pid1;
          } catch {
            return false;
          }
        });
      assert.equal(zombies.length, 0);
      process.kill(pid1, 'SIGTERM');
      assert.equal(await exited, 0);
      assert.deepEqual(markedPids(home), []);
    },
  );
});
