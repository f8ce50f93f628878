import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { alive, APPS, Home } from '../helpers.js';

const FOREVER = join(APPS, 'forever.js');

describe('lifecycle commands over targets', () => {
  const home = new Home();
  before(async () => {
    await home.ok(['start', FOREVER, '--name', 'api']);
    await home.ok(['start', FOREVER, '--name', 'worker-1', '--namespace', 'jobs']);
    await home.ok(['start', FOREVER, '--name', 'worker-2', '--namespace', 'jobs']);
  });
  after(() => home.cleanup());

  const status = async () => Object.fromEntries((await home.jlist()).map((e) => [e.name, e.pm2_env.status]));

  it('stops by regex, starts again by namespace', async () => {
    await home.ok(['stop', '/^worker-/']);
    assert.deepEqual(await status(), { api: 'online', 'worker-1': 'stopped', 'worker-2': 'stopped' });
    await home.ok(['start', 'jobs']);
    assert.deepEqual(await status(), { api: 'online', 'worker-1': 'online', 'worker-2': 'online' });
  });

  it('acts on several targets at once, by name and by id', async () => {
    await home.ok(['stop', 'api', '2']);
    assert.deepEqual(await status(), { api: 'stopped', 'worker-1': 'online', 'worker-2': 'stopped' });
    await home.ok(['start', 'api']);
    await home.ok(['start', '2']);
    assert.deepEqual(await status(), { api: 'online', 'worker-1': 'online', 'worker-2': 'online' });
  });

  it('restarts with a new pid and counts it', async () => {
    const before = (await home.jlist()).find((e) => e.name === 'api');
    await home.ok(['restart', 'api']);
    const afterE = (await home.jlist()).find((e) => e.name === 'api');
    assert.notEqual(afterE?.pid, before?.pid);
    assert.equal(alive(before?.pid ?? 0), false);
    assert.equal(afterE?.pm2_env.restart_time, (before?.pm2_env.restart_time ?? 0) + 1);
    await home.ok(['reset', 'api']);
    assert.equal((await home.jlist()).find((e) => e.name === 'api')?.pm2_env.restart_time, 0);
  });

  it('refuses to start a running script twice, unless -f', async () => {
    const r = await home.run(['start', FOREVER, '--name', 'api']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already launched: api/);
    assert.match(r.stderr, /-f/);
    await home.ok(['start', FOREVER, '--name', 'api', '-f']);
    assert.equal((await home.jlist()).filter((e) => e.name === 'api').length, 2);
    await home.ok(['delete', '3']);
  });

  it('starting the same script again when it is stopped starts the stopped one', async () => {
    await home.ok(['stop', 'api']);
    await home.ok(['start', FOREVER, '--name', 'api']);
    const apis = (await home.jlist()).filter((e) => e.name === 'api');
    assert.equal(apis.length, 1);
    assert.equal(apis[0]?.pm2_env.status, 'online');
  });

  it('answers an unknown target with one line and exit 1, acting on nothing', async () => {
    for (const cmd of ['stop', 'restart', 'delete', 'reset', 'describe', 'env']) {
      const r = await home.run([cmd, 'nope']);
      assert.equal(r.code, 1, cmd);
      assert.match(r.stderr, /not found: nope/, cmd);
      assert.equal(r.stderr.trim().split('\n').length, 1, cmd);
    }
    const r = await home.run(['stop', 'api', 'nope']);
    assert.equal(r.code, 1);
    assert.equal((await status()).api, 'online', 'a bad target in the list stops nothing');
    const re = await home.run(['stop', '/^zzz/']);
    assert.equal(re.code, 1);
    assert.match(re.stderr, /not found: \/\^zzz\//);
  });

  it('prints pids and the environment', async () => {
    const list = await home.jlist();
    const r = await home.ok(['pid', 'jobs']);
    assert.deepEqual(
      r.stdout.trim().split('\n').map(Number),
      list.filter((e) => e.pm2_env.namespace === 'jobs').map((e) => e.pid),
    );
    const env = await home.ok(['env', 'api']);
    assert.match(env.stdout, /^name: api$/m);
    assert.match(env.stdout, /^NODE_APP_INSTANCE: 0$/m);
  });

  it('deletes, and ids start over at 0 once the list is empty', async () => {
    const pids = (await home.jlist()).map((e) => e.pid);
    await home.ok(['delete', 'all']);
    assert.deepEqual(await home.jlist(), []);
    for (const p of pids) assert.equal(alive(p), false);
    await home.ok(['start', FOREVER, '--name', 'again']);
    assert.equal((await home.jlist())[0]?.pm_id, 0);
    const r = await home.run(['stop', 'all', 'nothing']);
    assert.equal(r.code, 1);
  });
});

describe('list output', () => {
  const home = new Home();
  before(async () => {
    await home.ok(['start', FOREVER, '--name', 'b-app']);
    await home.ok(['start', FOREVER, '--name', 'a-app', '--namespace', 'ns1']);
  });
  after(() => home.cleanup());

  it('shows a PM2-like table without colours when not a TTY', async () => {
    const r = await home.ok(['ls']);
    for (const col of [
      'id',
      'name',
      'namespace',
      'version',
      'mode',
      'pid',
      'uptime',
      '↺',
      'status',
      'cpu',
      'mem',
      'user',
      'watching',
    ]) {
      assert.ok(r.stdout.includes(col), col);
    }
    assert.ok(!r.stdout.includes('\u001b['), 'no colour codes');
    assert.match(r.stdout, /│ 0 +│ b-app +│ default/);
    for (const alias of ['list', 'l', 'ps', 'status'])
      assert.match((await home.ok([alias])).stdout, /│ 1 +│ a-app +│ ns1/);
  });

  it('sorts', async () => {
    const r = await home.ok(['ls', '--sort', 'name:asc']);
    assert.ok(r.stdout.indexOf('a-app') < r.stdout.indexOf('b-app'));
    const d = await home.ok(['ls', '--sort', 'id:desc']);
    assert.ok(d.stdout.indexOf('a-app') < d.stdout.indexOf('b-app'));
    const bad = await home.run(['ls', '--sort', 'colour']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--sort/);
  });

  it('jlist follows PM2 entry shape', async () => {
    const [e] = await home.jlist();
    assert.ok(e);
    assert.equal(typeof e.pid, 'number');
    assert.equal(e.name, 'b-app');
    assert.equal(e.pm_id, 0);
    assert.equal(typeof e.monit.memory, 'number');
    assert.equal(typeof e.monit.cpu, 'number');
    const env = e.pm2_env;
    for (const k of [
      'status',
      'restart_time',
      'unstable_restarts',
      'pm_uptime',
      'created_at',
      'exec_mode',
      'instances',
      'namespace',
      'pm_exec_path',
      'pm_cwd',
      'exec_interpreter',
      'pm_out_log_path',
      'pm_err_log_path',
      'autorestart',
      'watch',
      'env',
      'node_args',
      'kill_timeout',
      'max_restarts',
      'min_uptime',
      'username',
      'version',
    ]) {
      assert.ok(k in env, `pm2_env.${k}`);
    }
    assert.equal(env.exec_mode, 'fork_mode');
    assert.equal(readFileSync(String(env.pm_pid_path), 'utf8').trim(), String(e.pid));
    assert.equal(env.status, 'online');
    // PM2 copies each env variable to the top level of pm2_env.
    assert.equal(env.PATH, process.env.PATH);
    assert.equal(env.NODE_APP_INSTANCE, 0);
    const pretty = await home.ok(['prettylist']);
    assert.match(pretty.stdout, /pm2_env: \{/);
  });

  it('describes one app', async () => {
    const r = await home.ok(['show', 'a-app']);
    assert.match(r.stdout, /status\s+│ online/);
    assert.match(r.stdout, /script path\s+│ .*forever\.js/);
    assert.match(r.stdout, /History/);
  });
});

describe('CLI usage errors', () => {
  const home = new Home();
  after(() => home.cleanup());

  it('suggests the closest command and flag', async () => {
    const r = await home.run(['strat', 'app.js']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown command 'strat'.*Did you mean start\?/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    const f = await home.run(['start', FOREVER, '--nmae', 'x']);
    assert.equal(f.code, 2);
    assert.match(f.stderr, /unknown option '--nmae'.*--name/);
  });

  it('rejects bad values with the option name', async () => {
    const r = await home.run(['start', FOREVER, '--kill-timeout', 'soon']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--kill-timeout: expected a duration/);
  });

  it('prints usage and exits non-zero with no arguments', async () => {
    const r = await home.run([]);
    assert.equal(r.code, 1);
    assert.match(r.stdout + r.stderr, /Usage: steward/);
  });
});
