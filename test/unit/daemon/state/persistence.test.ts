import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { AppConfig } from '../../../../src/config/app-config.js';
import type { InstanceSnapshot } from '../../../../src/daemon/lifecycle/instance.js';
import {
  loadDump,
  parseSnapshot,
  serialize,
  SNAPSHOT_FORMAT,
} from '../../../../src/daemon/state/persistence.js';
import { FIXTURES, tmpDir } from '../../../helpers.js';
import { throwsCode } from '../../support.js';

const GOLDEN = join(FIXTURES, 'golden/dump-v1.json');
const WRITTEN_AT = 1_767_225_600_000; // 2026-01-01T00:00:00Z

// Spelled out in full (not built from a shared helper) so that the golden file only changes when
// the dump format does.
const CONFIG: AppConfig = {
  name: 'api',
  namespace: 'web',
  script: 'server.js',
  pm_exec_path: '/srv/api/server.js',
  pm_cwd: '/srv/api',
  args: ['--port', '3000'],
  exec_interpreter: 'node',
  node_args: ['--max-old-space-size=256'],
  exec_mode: 'fork_mode',
  instances: 2,
  autorestart: true,
  autostart: true,
  stop_exit_codes: [0],
  restart_delay: 0,
  exp_backoff_restart_delay: 100,
  min_uptime: 1000,
  max_restarts: 16,
  restart_limit: 50,
  restart_limit_window: 600_000,
  kill_timeout: 1600,
  kill_signal: 'SIGINT',
  shutdown_with_message: false,
  treekill: true,
  out_file: '',
  error_file: null,
  log_file: null,
  merge_logs: false,
  log_max_size: null,
  log_retain: null,
  log_compress: null,
  log_rotate_interval: null,
  disable_logs: false,
  log_date_format: 'YYYY-MM-DDTHH:mm:ss',
  log_type: 'raw',
  pid_file: null,
  env: { NODE_ENV: 'production' },
  shell_env: { PATH: '/usr/bin:/bin', HOME: '/home/app' },
  env_name: 'production',
  filter_env: ['AWS_'],
  instance_var: 'NODE_APP_INSTANCE',
  increment_var: 'PORT',
  watch: false,
  ignore_watch: [],
  watch_delay: 0,
  max_memory_restart: 314_572_800,
  cron_restart: '0 3 * * *',
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
  version: '1.4.2',
  username: 'app',
  extra: { source_map_support: true },
};

const SNAPSHOTS: InstanceSnapshot[] = [
  {
    pm_id: 0,
    index: 0,
    config: CONFIG,
    status: 'online',
    pid: 4242,
    pid_start: 123_456,
    restart_time: 2,
    exit_code: 1,
    counters: {
      created_at: WRITTEN_AT - 60_000,
      pm_uptime: WRITTEN_AT - 30_000,
      unstable_restarts: 1,
      prev_restart_delay: 150,
      crash_times: [WRITTEN_AT - 45_000, WRITTEN_AT - 30_150],
    },
    history: [
      { at: WRITTEN_AT - 60_000, event: 'start' },
      { at: WRITTEN_AT - 30_150, event: 'exit', reason: 'code 1' },
    ],
  },
  {
    pm_id: 1,
    index: 1,
    config: CONFIG,
    status: 'errored',
    pid: 0,
    pid_start: 0,
    restart_time: 16,
    exit_code: null,
    counters: {
      created_at: null,
      pm_uptime: 0,
      unstable_restarts: 0,
      prev_restart_delay: 0,
      crash_times: [],
    },
    history: [{ at: WRITTEN_AT - 1000, event: 'errored', reason: '16 unstable restarts' }],
  },
];

function goldenText(): string {
  return serialize(SNAPSHOTS, '0.1.0', WRITTEN_AT, true);
}

describe('dump format v1 (golden)', () => {
  it('serializes exactly as the committed golden file', () => {
    // Regenerate after a deliberate format change with STEWARD_UPDATE_GOLDEN=1, and review the diff.
    if (process.env.STEWARD_UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, goldenText());
    assert.equal(goldenText(), readFileSync(GOLDEN, 'utf8'));
  });

  it('parses the golden file back to the same snapshots', () => {
    const file = parseSnapshot(readFileSync(GOLDEN, 'utf8'), GOLDEN);
    assert.deepEqual(file, {
      format: SNAPSHOT_FORMAT,
      steward_version: '0.1.0',
      written_at: WRITTEN_AT,
      processes: SNAPSHOTS,
    });
  });

  it('writes one line when not pretty, with the same content', () => {
    const compact = serialize(SNAPSHOTS, '0.1.0', WRITTEN_AT, false);
    assert.equal(compact.indexOf('\n'), compact.length - 1);
    assert.deepEqual(JSON.parse(compact), JSON.parse(goldenText()));
  });
});

describe('parseSnapshot', () => {
  it('throws E_DUMP_CORRUPT with the path for invalid JSON', () => {
    const err = throwsCode(
      () => parseSnapshot('{"format": 1, "proc', '/home/x/dump.json'),
      'E_DUMP_CORRUPT',
      /^\/home\/x\/dump\.json is not valid JSON \(/,
    );
    assert.match(err.hint ?? '', /\.bak|cleardump/);
  });

  it('names the field path of a wrong shape', () => {
    const bad = JSON.parse(goldenText()) as { processes: { config: Record<string, unknown> }[] };
    const cfg = bad.processes[1]?.config;
    assert.ok(cfg);
    cfg.instances = 0;
    throwsCode(
      () => parseSnapshot(JSON.stringify(bad), '/d.json'),
      'E_DUMP_CORRUPT',
      /^\/d\.json is not a Steward dump: processes\.1\.config\.instances: /,
    );
  });

  it('names the root fields too', () => {
    const text = goldenText().replace('"format": 1', '"format": 2');
    throwsCode(() => parseSnapshot(text, '/d.json'), 'E_DUMP_CORRUPT', /: format: /);
    throwsCode(() => parseSnapshot('null', '/d.json'), 'E_DUMP_CORRUPT', /is not a Steward dump: \(root\): /);
    throwsCode(() => parseSnapshot('[]', '/d.json'), 'E_DUMP_CORRUPT', /is not a Steward dump: format: /);
    throwsCode(
      () => parseSnapshot(goldenText().replace('"status": "online"', '"status": "running"'), '/d.json'),
      'E_DUMP_CORRUPT',
      /processes\.0\.status/,
    );
  });
});

describe('loadDump', () => {
  let dir = '';
  let dump = '';
  let bak = '';
  const good = goldenText();
  const other = serialize(SNAPSHOTS.slice(0, 1), '0.1.0', WRITTEN_AT + 1, true);

  before(() => {
    dir = tmpDir();
    dump = join(dir, 'dump.json');
    bak = join(dir, 'dump.json.bak');
  });
  beforeEach(() => {
    rmSync(dump, { force: true });
    rmSync(bak, { force: true });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the dump when it is good, without a warning', () => {
    writeFileSync(dump, good);
    writeFileSync(bak, other);
    const res = loadDump(dump, bak);
    assert.equal(res.warning, undefined);
    assert.equal(res.file.processes.length, 2);
  });

  it('falls back to the backup with a warning when the dump is corrupt', () => {
    writeFileSync(dump, '{ not json');
    writeFileSync(bak, other);
    const res = loadDump(dump, bak);
    assert.equal(res.file.processes.length, 1);
    assert.equal(res.file.written_at, WRITTEN_AT + 1);
    assert.match(res.warning ?? '', new RegExp(`^${dump} is not valid JSON .*; using the backup ${bak}$`));
  });

  it('falls back to the backup with a warning when the dump is missing', () => {
    writeFileSync(bak, other);
    const res = loadDump(dump, bak);
    assert.equal(res.file.processes.length, 1);
    assert.equal(res.warning, `${dump} is missing; using the backup ${bak}`);
  });

  it('fails with both files broken, and changes neither', () => {
    const dumpBytes = Buffer.from('{ not json');
    const bakBytes = Buffer.from('{"format": 1}');
    writeFileSync(dump, dumpBytes);
    writeFileSync(bak, bakBytes);
    throwsCode(() => loadDump(dump, bak), 'E_DUMP_CORRUPT', /its backup is unusable too/);
    assert.deepEqual(readFileSync(dump), dumpBytes);
    assert.deepEqual(readFileSync(bak), bakBytes);
  });

  it('reports the dump problem when it is corrupt and there is no backup', () => {
    writeFileSync(dump, '[]');
    throwsCode(() => loadDump(dump, bak), 'E_DUMP_CORRUPT', new RegExp(`^${dump} is not a Steward dump`));
    assert.equal(readFileSync(dump, 'utf8'), '[]');
    assert.equal(existsSync(bak), false);
  });

  it('reports the backup problem when the dump is missing and the backup is corrupt', () => {
    writeFileSync(bak, 'garbage');
    throwsCode(() => loadDump(dump, bak), 'E_DUMP_CORRUPT', new RegExp(`^${bak} is not valid JSON`));
  });

  it('throws E_DUMP_MISSING when neither exists', () => {
    throwsCode(() => loadDump(dump, bak), 'E_DUMP_MISSING', new RegExp(`no saved process list at ${dump}`));
    assert.equal(existsSync(dump), false);
    assert.equal(existsSync(bak), false);
  });
});
