import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as v from 'valibot';
import { ISO_FORMAT } from '../../../src/common/timefmt.js';
import { OPTIONS } from '../../../src/config/options.js';
import { KEPT, MERGED, NOT_ON_RESTART, PATCH_FIELDS } from '../../../src/config/restart-merge.js';
import { restartPatch } from '../../../src/config/restart-patch.js';
import { ParamSchemas } from '../../../src/daemon/rpc/rpc-schemas.js';
import { throwsCode } from '../support.js';

const patchOf = (flags: Record<string, string | boolean | string[]>) => restartPatch(flags).patch;

describe('restartPatch: the app options given to restart/reload', () => {
  it('converts them as start does: sizes to bytes, durations to ms, signals, lists', () => {
    assert.deepEqual(
      patchOf({
        maxMemoryRestart: '300M',
        killTimeout: '5s',
        restartDelay: '250',
        expBackoffRestartDelay: '100ms',
        maxRestarts: '3',
        killSignal: 'term',
        nodeArgs: '--max-old-space-size=512 --no-warnings',
        stopExitCodes: ['0,3'],
        ignoreWatch: 'tmp cache',
        watchDelay: '2',
        memoryCheckInterval: '10',
        waitReady: true,
      }),
      {
        max_memory_restart: 300 * 1024 * 1024,
        kill_timeout: 5000,
        restart_delay: 250,
        exp_backoff_restart_delay: 100,
        max_restarts: 3,
        kill_signal: 'SIGTERM',
        node_args: ['--max-old-space-size=512', '--no-warnings'],
        stop_exit_codes: [0, 3],
        ignore_watch: ['tmp', 'cache'],
        // --watch-delay is in seconds on the command line, as on start.
        watch_delay: 2000,
        // The same floor as at start.
        memory_check_interval: 100,
        wait_ready: true,
      },
    );
  });

  it('checks a cron pattern with croner; 0 clears it', () => {
    assert.deepEqual(patchOf({ cronRestart: '0 3 * * *' }), { cron_restart: '0 3 * * *' });
    assert.deepEqual(patchOf({ cron: '0' }), { cron_restart: null });
    throwsCode(() => patchOf({ cronRestart: '99 * * * *' }), 'E_BAD_OPTION', /^--cron-restart: invalid cron/);
  });

  it('--time, --log-date-format, --log-type and readiness are checked as on start', () => {
    assert.deepEqual(patchOf({ time: true }), { log_date_format: ISO_FORMAT });
    assert.deepEqual(patchOf({ logDateFormat: 'HH:mm', logType: 'json' }), {
      log_date_format: 'HH:mm',
      log_type: 'json',
    });
    assert.deepEqual(patchOf({ readyPattern: 'listening' }), { ready_pattern: 'listening' });
    throwsCode(() => patchOf({ logType: 'xml' }), 'E_BAD_OPTION', /^--log-type: expected "json" or "raw"/);
    throwsCode(() => patchOf({ readyProbe: 'ftp://x' }), 'E_BAD_OPTION', /^--ready-probe:/);
  });

  it('a bad value is one E_BAD_OPTION naming the flag, with a hint', () => {
    const e = throwsCode(
      () => patchOf({ maxMemoryRestart: 'lots' }),
      'E_BAD_OPTION',
      /^--max-memory-restart: expected a size in bytes or with a unit .*got "lots"$/,
    );
    assert.equal(e.hint, 'fix the value of --max-memory-restart');
    assert.equal(e.exitCode, 2);
  });

  it("drops commander's defaults of --no-x flags: only a given --no-autorestart counts", () => {
    assert.deepEqual(patchOf({ autorestart: true, treekill: true, agent: true }), {});
    assert.deepEqual(patchOf({ autorestart: false, agent: false }), { autorestart: false, agent: false });
  });

  it('--node-args=null clears the interpreter arguments, as in PM2', () => {
    assert.deepEqual(patchOf({ nodeArgs: 'null' }), { node_args: [] });
  });

  it('refuses what a restart cannot change; returns --name/--namespace for the caller to compare', () => {
    throwsCode(() => patchOf({ cwd: '/tmp' }), 'E_BAD_OPTION', /^--cwd cannot be changed by a restart/);
    throwsCode(() => patchOf({ interpreter: 'python3' }), 'E_BAD_OPTION', /^--interpreter cannot/);
    throwsCode(() => patchOf({ output: 'x.log' }), 'E_BAD_OPTION', /^--output cannot/);
    throwsCode(() => patchOf({ envFile: '.env' }), 'E_BAD_OPTION', /^--env-file cannot/);
    assert.deepEqual(restartPatch({ name: 'api', namespace: 'web', maxRestarts: '2' }), {
      patch: { max_restarts: 2 },
      identity: { name: 'api', namespace: 'web' },
    });
  });

  it('leaves out, unchecked, what has no effect on restart (instances, exec mode, PM2-only switches)', () => {
    assert.deepEqual(
      patchOf({
        instances: 'two',
        executeCommand: true,
        force: true,
        watch: true,
        vizion: false,
        trace: true,
      }),
      {},
    );
  });

  it('classifies every option that has a flag exactly once', () => {
    for (const o of OPTIONS) {
      if (!o.cli || o.status === 'ignored') continue;
      const tables = [MERGED.has(o.key), KEPT.has(o.key), NOT_ON_RESTART.has(o.key)].filter(Boolean);
      assert.equal(tables.length, 1, `${o.key} is in ${tables.length} of MERGED, KEPT, NOT_ON_RESTART`);
    }
  });
});

describe('the restart/reload RPC params: options', () => {
  const base = { targets: ['api'], cwd: '/' };
  const parse = (options: unknown) => v.safeParse(ParamSchemas.restart, { ...base, options });

  it('accepts the fields a restart may change, checked as in AppConfig', () => {
    const r = parse({ max_memory_restart: 1024, cron_restart: null, node_args: ['--x'] });
    assert.ok(r.success);
    assert.deepEqual((r.output as { options: unknown }).options, {
      max_memory_restart: 1024,
      cron_restart: null,
      node_args: ['--x'],
    });
    assert.ok(v.safeParse(ParamSchemas.reload, { ...base }).success);
  });

  it('refuses a bad value, and any field not in PATCH_FIELDS (name, script, exec_mode, instances)', () => {
    assert.ok(!parse({ max_memory_restart: '300M' }).success);
    assert.ok(!parse({ kill_timeout: -1 }).success);
    for (const k of ['name', 'script', 'exec_mode', 'instances', 'pm_cwd']) {
      assert.ok(!PATCH_FIELDS.includes(k), k);
      assert.ok(!parse({ [k]: 'x' }).success, k);
    }
  });
});
