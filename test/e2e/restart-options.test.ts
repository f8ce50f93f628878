import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { alive, APPS, Home, waitFor, type JlistEntry } from '../helpers.js';

const FOREVER = join(APPS, 'forever.js');
const MB = 1024 * 1024;

/** PM2 merges the app options given to restart/reload into the app's config; so does Steward. */
describe('app options on restart and reload', () => {
  const home = new Home();
  after(() => home.cleanup());
  const entry = async (name: string): Promise<JlistEntry> => {
    const e = (await home.jlist()).find((x) => x.name === name);
    assert.ok(e, `${name} is listed`);
    return e;
  };
  const cmdline = (pid: number) => readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0');

  it('restart --max-memory-restart 300M: merged into the config, the app restarted', async () => {
    await home.ok(['start', FOREVER, '--name', 'api']);
    const before = await entry('api');
    // Unset options are absent from pm2_env, as in PM2.
    assert.equal(before.pm2_env.max_memory_restart, undefined);
    await home.ok(['restart', 'api', '--max-memory-restart', '300M', '--kill-timeout=3s']);
    const e = await entry('api');
    assert.equal(e.pm2_env.max_memory_restart, 300 * MB);
    assert.equal(e.pm2_env.kill_timeout, 3000);
    assert.equal(e.pm2_env.status, 'online');
    assert.notEqual(e.pid, before.pid);
    assert.equal(alive(before.pid), false);
    assert.equal(e.pm2_env.restart_time, before.pm2_env.restart_time + 1);
  });

  it('reload --cron-restart and --node-args: merged, and the new process runs with them', async () => {
    const before = await entry('api');
    await home.ok(['reload', 'api', '--cron-restart', '0 3 * * *', '--node-args=--max-old-space-size=512']);
    const e = await entry('api');
    assert.equal(e.pm2_env.cron_restart, '0 3 * * *');
    assert.deepEqual(e.pm2_env.node_args, ['--max-old-space-size=512']);
    // Options given earlier stay.
    assert.equal(e.pm2_env.max_memory_restart, 300 * MB);
    assert.notEqual(e.pid, before.pid);
    assert.equal(e.pm2_env.restart_time, before.pm2_env.restart_time + 1);
    assert.ok(cmdline(e.pid).includes('--max-old-space-size=512'), cmdline(e.pid).join(' '));
    // `--cron 0` clears the schedule, `--node-args=null` the arguments (PM2's way to delete a key).
    await home.ok(['restart', 'api', '--cron', '0', '--node-args=null']);
    const cleared = await entry('api');
    assert.equal(cleared.pm2_env.cron_restart, undefined);
    assert.deepEqual(cleared.pm2_env.node_args, []);
  });

  it('a bad value: one line with a hint, exit 2, nothing sent, nothing changed', async () => {
    const before = await entry('api');
    const r = await home.run(['restart', 'api', '--max-memory-restart', 'lots']);
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(
      r.stderr,
      /^\[steward\] error: --max-memory-restart: expected a size .*got "lots" \(fix the value of --max-memory-restart\)\n$/,
    );
    assert.equal(r.stdout, '');
    const bad = await home.run(['reload', 'api', '--cron-restart', '99 * * * *', '--max-restarts', '2']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--cron-restart: invalid cron expression/);
    const e = await entry('api');
    assert.equal(e.pid, before.pid);
    assert.equal(e.pm2_env.restart_time, before.pm2_env.restart_time);
    assert.equal(e.pm2_env.max_memory_restart, before.pm2_env.max_memory_restart);
    assert.equal(e.pm2_env.max_restarts, before.pm2_env.max_restarts);
  });

  it('refuses to rename or move an app by restart; its own --name is accepted', async () => {
    const before = await entry('api');
    for (const args of [
      ['--name', 'web'],
      ['--cwd', '/tmp'],
      ['--interpreter', 'python3'],
    ]) {
      const r = await home.run(['restart', 'api', ...args]);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, new RegExp(`error: ${args[0] ?? ''} cannot be changed by a restart`));
    }
    assert.equal((await entry('api')).pid, before.pid);
    await home.ok(['restart', 'api', '--name', 'api', '--namespace', 'default']);
    const e = await entry('api');
    assert.equal(e.name, 'api');
    assert.notEqual(e.pid, before.pid);
  });

  it('what means nothing for a restart is accepted and noted under --verbose', async () => {
    const r = await home.ok(['reload', 'api', '-i', '3', '--parallel', '2', '--verbose']);
    assert.match(r.stderr, /note: --instances is accepted .* use `steward scale`/);
    assert.match(r.stderr, /note: --parallel is accepted/);
    assert.doesNotMatch(r.stderr, /error/);
    assert.equal((await home.jlist()).filter((e) => e.name === 'api').length, 1);
  });

  it('the memory guard follows a limit given on restart', async () => {
    await home.ok(['start', join(APPS, 'leaker.js'), '--name', 'leak'], { env: { LEAK_MB_PER_S: '20' } });
    await home.ok(['restart', 'leak', '--max-memory-restart', '80M', '--memory-check-interval', '200ms']);
    const e = await waitFor(
      async () => {
        const x = await entry('leak');
        return x.pm2_env.restart_time >= 2 ? x : undefined;
      },
      'the memory guard to restart the leaker',
      20_000,
      200,
    );
    assert.equal(e.pm2_env.max_memory_restart, 80 * MB);
    await home.ok(['delete', 'leak']);
  });
});
