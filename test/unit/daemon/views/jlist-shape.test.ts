import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AppConfig } from '../../../../src/config/app-config.js';
import { Instance } from '../../../../src/daemon/lifecycle/instance.js';
import { pm2EntryJson } from '../../../../src/daemon/views/jlist.js';
import { prettyText } from '../../../../src/cli/output/prettylist.js';
import { FIXTURES } from '../../../helpers.js';
import { sampleConfig } from '../../support.js';
import { FakeEffects, fakeHooks } from '../lifecycle/fake-effects.js';

/**
 * Golden `jlist` entries, written from PM2's documented `pm2_env` shape (PM2-REFERENCE.md §1c.10,
 * §1b.2): the same keys, the same value forms, and no Steward field inside `pm2_env`. Values that
 * depend on the machine (node_version, Steward's version) are replaced by placeholders.
 */
/** The state an entry is built in, reached through the instance's own operations (fake effects). */
type Setup = 'stopped' | 'online' | { errored: { exit_code: number; restart_time: number } };

async function entry(cfg: Partial<AppConfig>, setup: Setup, pmId = 0, index = 0) {
  const fx = new FakeEffects();
  fx.clock = 1_000;
  const config = sampleConfig({ args: [], ...cfg });
  const errored = typeof setup === 'object' ? setup.errored : undefined;
  const restored = errored
    ? {
        pm_id: pmId,
        index,
        config,
        status: 'errored' as const,
        pid: 0,
        pid_start: 0,
        restart_time: errored.restart_time,
        exit_code: errored.exit_code,
        counters: {
          created_at: 1_000,
          pm_uptime: 0,
          unstable_restarts: 0,
          prev_restart_delay: 0,
          crash_times: [],
        },
        history: [],
      }
    : undefined;
  const inst = new Instance(pmId, config, index, fakeHooks(fx), restored);
  if (setup === 'online') await inst.start();
  // The fake's pid and spawn time are not PM2's business: shown as a stopped-looking 0 here.
  const e = JSON.parse(pm2EntryJson(inst, { cpu: 1.5, memory: 4096 }, '/h', `/h/pids/api-${pmId}.pid`)) as {
    pid: number;
    monit: { memory: number; cpu: number };
    pm2_env: Record<string, unknown>;
    steward?: unknown;
  };
  if (setup === 'online') {
    e.pid = 0;
    e.pm2_env.pm_uptime = 0;
  }
  // What `steward jlist` prints: the CLI drops Steward's details unless --steward.
  delete e.steward;
  if (typeof e.pm2_env.node_version === 'string') e.pm2_env.node_version = '<node>';
  if (typeof e.pm2_env._pm2_version === 'string') e.pm2_env._pm2_version = '<version>';
  return e;
}

const ENV = {
  PATH: '/usr/bin:/bin',
  HOME: '/home/app',
  STEWARD_HOME: '/h',
};

/** Fields every app has, with their default values (fork mode, started from the CLI). */
function common(pmId: number, uniqueId: string): Record<string, unknown> {
  const env = { ...ENV, unique_id: uniqueId };
  return {
    restart_time: 0,
    unstable_restarts: 0,
    pm_uptime: 0,
    created_at: 1_000,
    prev_restart_delay: 0,
    axm_monitor: {},
    axm_actions: [],
    axm_options: {},
    axm_dynamic: {},
    vizion_running: false,
    name: 'api',
    namespace: 'default',
    pm_id: pmId,
    exec_mode: 'fork_mode',
    instances: 1,
    pm_exec_path: '/srv/api/server.js',
    pm_cwd: '/srv/api',
    exec_interpreter: 'node',
    node_args: [],
    pm_out_log_path: '/h/logs/api-out.log',
    pm_err_log_path: '/h/logs/api-error.log',
    pm_pid_path: `/h/pids/api-${pmId}.pid`,
    merge_logs: true,
    autorestart: true,
    autostart: true,
    max_restarts: 16,
    min_uptime: 1000,
    restart_delay: 0,
    kill_timeout: 1600,
    kill_retry_time: 100,
    listen_timeout: 3000,
    wait_ready: false,
    watch: false,
    watch_delay: 0,
    treekill: true,
    shutdown_with_message: false,
    instance_var: 'NODE_APP_INSTANCE',
    filter_env: false,
    vizion: true,
    automation: true,
    pmx: true,
    km_link: false,
    windowsHide: true,
    username: 'app',
    version: '1.0.0',
    node_version: '<node>',
    env,
    NODE_APP_INSTANCE: 0,
    // PM2 copies every variable of env to the top level again.
    ...env,
  };
}

const uid = (e: { pm2_env: Record<string, unknown> }) => String(e.pm2_env.unique_id);

describe('jlist golden shape (PM2)', () => {
  it('a fork app, online', async () => {
    const e = await entry({}, 'online');
    assert.match(uid(e), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.deepEqual(e, {
      pid: 0,
      name: 'api',
      pm_id: 0,
      monit: { memory: 4096, cpu: 1.5 },
      pm2_env: { status: 'online', ...common(0, uid(e)) },
    });
  });

  it('a cluster app: per-instance log files, merge_logs false, _pm2_version, its instance number', async () => {
    const cfg = { exec_mode: 'cluster_mode', instances: 2, merge_logs: false } as const;
    const e = await entry(cfg, 'online', 1, 1);
    assert.deepEqual(e.pm2_env, {
      status: 'online',
      ...common(1, uid(e)),
      exec_mode: 'cluster_mode',
      instances: 2,
      merge_logs: false,
      pm_out_log_path: '/h/logs/api-out-1.log',
      pm_err_log_path: '/h/logs/api-error-1.log',
      _pm2_version: '<version>',
      NODE_APP_INSTANCE: 1,
    });
  });

  it('a stopped app: pid 0, monit 0, no exit_code before a first exit', async () => {
    const e = await entry({}, 'stopped');
    assert.deepEqual(e, {
      pid: 0,
      name: 'api',
      pm_id: 0,
      monit: { memory: 0, cpu: 0 },
      pm2_env: { status: 'stopped', ...common(0, uid(e)) },
    });
  });

  it('an errored app: its exit code and restart counter', async () => {
    const e = await entry(
      { args: ['--port', '3000'], stop_exit_codes: [0] },
      { errored: { exit_code: 1, restart_time: 16 } },
    );
    assert.deepEqual(e.pm2_env, {
      ...common(0, uid(e)),
      status: 'errored',
      restart_time: 16,
      exit_code: 1,
      args: ['--port', '3000'],
      stop_exit_codes: [0],
    });
    assert.deepEqual(e.monit, { memory: 0, cpu: 0 });
  });

  it('shows watch as PM2 does: true for the app directory, the paths otherwise', async () => {
    assert.equal((await entry({ watch: true }, 'stopped')).pm2_env.watch, true);
    assert.equal((await entry({ watch: ['/srv/api'] }, 'stopped')).pm2_env.watch, true);
    assert.deepEqual((await entry({ watch: ['/srv/api/src'] }, 'stopped')).pm2_env.watch, ['/srv/api/src']);
  });

  it("keeps the child's own variables (pm_id, name, instance number) out of env", async () => {
    const env = (await entry({}, 'stopped')).pm2_env.env as Record<string, string>;
    for (const k of ['pm_id', 'name', 'namespace', 'NODE_APP_INSTANCE', 'STEWARD_SUPERVISOR'])
      assert.equal(env[k], undefined, k);
  });

  it('prints each status word, counter and path as often as PM2 (grep idioms on prettylist)', async () => {
    const list = [
      await entry({}, 'online'),
      await entry({ name: 'web', pm_exec_path: '/srv/web/index.js', pm_cwd: '/srv/web' }, 'stopped', 1),
    ];
    const text = prettyText(list);
    const count = (s: string) => text.split(s).length - 1;
    assert.equal(count("'online'"), 1);
    assert.equal(count("'stopped'"), 1);
    assert.equal(count('restart_time: 0'), 2);
    assert.equal(count('/srv/api/server.js'), 1);
    assert.equal(count('/srv/web/index.js'), 1);
    assert.equal(count('watch: false'), 2);
    const json = JSON.stringify(list);
    assert.equal(json.split('"online"').length - 1, 1);
  });

  it('prettylist of a fork app matches the golden text (test/fixtures/golden/prettylist-fork.txt)', async () => {
    const e = await entry({}, 'online');
    const golden = readFileSync(join(FIXTURES, 'golden/prettylist-fork.txt'), 'utf8');
    assert.equal(`${prettyText([e])}\n`, golden);
  });
});
