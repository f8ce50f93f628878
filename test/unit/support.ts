import assert from 'node:assert/strict';
import { StewardError, type ErrorCode } from '../../src/common/errors.js';
import type { AppConfig } from '../../src/config/app-config.js';

/** Asserts that `fn` throws a StewardError with this code (and a message matching `message`). */
export function throwsCode(fn: () => unknown, code: ErrorCode, message?: RegExp): StewardError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof StewardError, `expected a StewardError ${code}, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (message) assert.match(caught.message, message);
  return caught;
}

/** A complete, deterministic AppConfig for tests (no file system, no real environment). */
export function sampleConfig(over: Partial<AppConfig> = {}): AppConfig {
  return {
    name: 'api',
    namespace: 'default',
    script: 'server.js',
    pm_exec_path: '/srv/api/server.js',
    pm_cwd: '/srv/api',
    args: ['--port', '3000'],
    exec_interpreter: 'node',
    node_args: [],
    exec_mode: 'fork_mode',
    instances: 1,
    autorestart: true,
    autostart: true,
    stop_exit_codes: [],
    restart_delay: 0,
    exp_backoff_restart_delay: 0,
    min_uptime: 1000,
    max_restarts: 16,
    restart_limit: 50,
    restart_limit_window: 600_000,
    kill_timeout: 1600,
    kill_signal: 'SIGINT',
    shutdown_with_message: false,
    treekill: true,
    out_file: '',
    error_file: '',
    log_file: null,
    merge_logs: true,
    log_max_size: null,
    log_retain: null,
    log_compress: null,
    log_rotate_interval: null,
    disable_logs: false,
    log_date_format: null,
    log_type: 'raw',
    pid_file: null,
    env: {},
    shell_env: { PATH: '/usr/bin:/bin', HOME: '/home/app' },
    env_name: null,
    filter_env: false,
    instance_var: 'NODE_APP_INSTANCE',
    increment_var: null,
    watch: false,
    ignore_watch: [],
    watch_delay: 0,
    max_memory_restart: null,
    cron_restart: null,
    wait_ready: false,
    listen_timeout: 3000,
    agent: true,
    listen: [],
    ready_pattern: null,
    ready_probe: null,
    memory_check_interval: 1000,
    health: null,
    uid: null,
    gid: null,
    version: '1.0.0',
    username: 'app',
    extra: {},
    ...over,
  };
}
