import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkApp } from '../../../src/config/ecosystem-schema.js';
import { normalizeApp, type NormalizeIo } from '../../../src/config/normalize.js';
import { throwsCode } from '../support.js';

/**
 * A machine made of a few files and users: every look-up normalizeApp makes goes through it, and
 * anything not given throws "unexpected call", so these tests prove it does no I/O of its own.
 */
function fakeIo(over: Partial<NormalizeIo>): NormalizeIo {
  const unexpected = (name: string) => () => {
    throw new Error(`unexpected call: ${name}`);
  };
  return {
    isDirectory: unexpected('isDirectory'),
    readHead: unexpected('readHead'),
    which: unexpected('which'),
    appVersion: unexpected('appVersion'),
    readText: unexpected('readText'),
    exists: unexpected('exists'),
    lookupUser: unexpected('lookupUser'),
    lookupGroup: unexpected('lookupGroup'),
    currentUser: unexpected('currentUser'),
    ...over,
  };
}

const FILES: Record<string, string> = {
  '/srv/api/server.js': 'require("http")',
  '/srv/api/.env': 'A=1\nB=two',
};
const machine = fakeIo({
  isDirectory: (p) => p === '/srv/api',
  readHead: (p) => (FILES[p] === undefined ? undefined : Buffer.from(FILES[p] ?? '')),
  which: (cmd) => (cmd === 'bash' ? '/bin/bash' : undefined),
  appVersion: () => '1.2.3',
  readText: (p) => {
    const t = FILES[p];
    if (t === undefined) throw new Error('ENOENT');
    return t;
  },
  exists: (p) => p in FILES || p === '/srv/api',
  currentUser: () => 'deploy',
});

function normalize(raw: Record<string, unknown>, io = machine) {
  const checked = checkApp(raw, 'eco.json: apps[0]');
  assert.deepEqual(checked.errors, []);
  return normalizeApp(checked.app, {
    cwd: '/srv/api',
    env: { PATH: '/usr/bin', HOME: '/home/deploy' },
    cpus: 4,
    where: 'eco.json: apps[0]',
    badCode: 'E_CONFIG',
    io,
  }).config;
}

describe('normalizeApp on a fake machine (no I/O of its own)', () => {
  it('resolves the script, version, user and dotenv file through the look-ups it is given', () => {
    const c = normalize({ script: 'server.js', env_file: '.env', env: { CONFIG: { a: 1 } } });
    assert.equal(c.pm_exec_path, '/srv/api/server.js');
    assert.equal(c.exec_interpreter, 'node');
    assert.equal(c.version, '1.2.3');
    assert.equal(c.username, 'deploy');
    assert.deepEqual(c.env, { A: '1', B: 'two', CONFIG: '{"a":1}' });
  });

  it("takes PM2's loose forms: numbers and booleans as strings, -i MAX, execute_command forces fork", () => {
    const c = normalize({ script: 'server.js', instances: 'MAX', max_restarts: '3', autorestart: 'false' });
    assert.equal(c.instances, 4);
    assert.equal(c.exec_mode, 'cluster_mode');
    assert.equal(c.max_restarts, 3);
    assert.equal(c.autorestart, false);
    assert.equal(
      normalize({ script: 'server.js', instances: 2, execute_command: true }).exec_mode,
      'fork_mode',
    );
  });

  it('keeps watch: true as PM2 shows it, and splits an ignore_watch string', () => {
    const c = normalize({ script: 'server.js', watch: true, ignore_watch: 'node_modules tmp' });
    assert.equal(c.watch, true);
    assert.deepEqual(c.ignore_watch, ['node_modules', 'tmp']);
  });

  it('keeps the PM2-only switches it does not act on, for jlist', () => {
    assert.deepEqual(normalize({ script: 'server.js', vizion: false, pmx: false }).extra, {
      vizion: false,
      pmx: false,
    });
  });

  it('reports a missing script from the look-ups', () => {
    throwsCode(() => normalize({ script: 'nope.js' }), 'E_SCRIPT_NOT_FOUND', /script not found: nope\.js/);
  });
});
