import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
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
