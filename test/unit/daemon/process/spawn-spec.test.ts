import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  buildSpawnSpec,
  filterShellEnv,
  missingTypescriptLoader,
  processEnv,
  SUPERVISOR_MARK,
  type SpawnContext,
} from '../../../../src/daemon/process/spawn-spec.js';
import { sampleConfig } from '../../support.js';

const HOME = '/var/lib/steward';
const TSX = 'file:///opt/steward/node_modules/tsx/dist/esm/index.mjs';
const CTX: SpawnContext = {
  home: HOME,
  nodePath: '/opt/node20/bin/node',
  nodeVersion: 'v20.20.2',
  tsxLoaderUrl: TSX,
  agentPath: '',
};

describe('filterShellEnv', () => {
  const shell = { PATH: '/bin', AWS_SECRET: 's', MY_AWS_KEY: 'k', HOME: '/root' };

  it('keeps everything when filter_env is false', () => {
    assert.deepEqual(filterShellEnv(shell, false), shell);
  });

  it('drops everything when filter_env is true', () => {
    assert.deepEqual(filterShellEnv(shell, true), {});
  });

  it('drops the variables whose name contains one of the strings', () => {
    assert.deepEqual(filterShellEnv(shell, ['AWS']), { PATH: '/bin', HOME: '/root' });
    assert.deepEqual(filterShellEnv(shell, ['HOME', 'PAT']), { AWS_SECRET: 's', MY_AWS_KEY: 'k' });
    assert.deepEqual(filterShellEnv(shell, []), shell);
  });
});

describe('processEnv', () => {
  it('layers shell env < app env < Steward variables', () => {
    const cfg = sampleConfig({
      name: 'api',
      namespace: 'web',
      shell_env: {
        PATH: '/bin',
        PORT: '1',
        NODE_ENV: 'development',
        pm_id: 'shell',
        [SUPERVISOR_MARK]: '/old',
      },
      env: { NODE_ENV: 'production', DB: 'pg', name: 'app-env' },
    });
    assert.deepEqual(processEnv(cfg, 7, 2, HOME), {
      PATH: '/bin',
      PORT: '1',
      NODE_ENV: 'production',
      DB: 'pg',
      NODE_APP_INSTANCE: '2',
      pm_id: '7',
      name: 'api',
      namespace: 'web',
      STEWARD_HOME: HOME,
      [SUPERVISOR_MARK]: HOME,
    });
  });

  it('applies filter_env to the shell env only, never to the app env', () => {
    const cfg = sampleConfig({
      shell_env: { PATH: '/bin', SECRET_TOKEN: 'shell' },
      env: { APP_SECRET: 'app' },
      filter_env: ['SECRET'],
    });
    const env = processEnv(cfg, 0, 0, HOME);
    assert.equal(env.SECRET_TOKEN, undefined);
    assert.equal(env.APP_SECRET, 'app');
    assert.equal(env.PATH, '/bin');

    const none = processEnv(
      sampleConfig({ shell_env: { PATH: '/bin' }, env: { A: '1' }, filter_env: true }),
      0,
      0,
      HOME,
    );
    assert.deepEqual(Object.keys(none).sort(), [
      'A',
      'NODE_APP_INSTANCE',
      'STEWARD_HOME',
      SUPERVISOR_MARK,
      'name',
      'namespace',
      'pm_id',
    ]);
  });

  it('uses the configured instance_var', () => {
    const env = processEnv(sampleConfig({ instance_var: 'INSTANCE_ID' }), 3, 1, HOME);
    assert.equal(env.INSTANCE_ID, '1');
    assert.equal(env.NODE_APP_INSTANCE, undefined);
  });

  it('adds the instance index to increment_var', () => {
    const cfg = sampleConfig({ increment_var: 'PORT', env: { PORT: '3000' } });
    assert.deepEqual(
      [0, 1, 2].map((i) => processEnv(cfg, 10 + i, i, HOME).PORT),
      ['3000', '3001', '3002'],
    );
    // From the shell env too, and from 0 when unset or not a number.
    assert.equal(
      processEnv(sampleConfig({ increment_var: 'PORT', shell_env: { PORT: '8080' } }), 0, 2, HOME).PORT,
      '8082',
    );
    assert.equal(processEnv(sampleConfig({ increment_var: 'SLOT' }), 0, 3, HOME).SLOT, '3');
    assert.equal(
      processEnv(sampleConfig({ increment_var: 'SLOT', env: { SLOT: 'x' } }), 0, 3, HOME).SLOT,
      '3',
    );
  });

  it('sets PYTHONUNBUFFERED for python interpreters unless the app sets it', () => {
    assert.equal(processEnv(sampleConfig({ exec_interpreter: 'python3' }), 0, 0, HOME).PYTHONUNBUFFERED, '1');
    assert.equal(
      processEnv(sampleConfig({ exec_interpreter: '/opt/venv/bin/python' }), 0, 0, HOME).PYTHONUNBUFFERED,
      '1',
    );
    assert.equal(
      processEnv(sampleConfig({ exec_interpreter: 'python3', env: { PYTHONUNBUFFERED: '0' } }), 0, 0, HOME)
        .PYTHONUNBUFFERED,
      '0',
    );
    assert.equal(
      processEnv(sampleConfig({ exec_interpreter: 'node' }), 0, 0, HOME).PYTHONUNBUFFERED,
      undefined,
    );
  });
});

describe('buildSpawnSpec', () => {
  it('runs a node app with this Node, the node args, an IPC channel', () => {
    const cfg = sampleConfig({ node_args: ['--max-old-space-size=128'], args: ['--port', '3000'] });
    const spec = buildSpawnSpec(cfg, 4, 0, CTX);
    assert.equal(spec.file, '/opt/node20/bin/node');
    assert.deepEqual(spec.args, ['--max-old-space-size=128', '/srv/api/server.js', '--port', '3000']);
    assert.equal(spec.cwd, '/srv/api');
    assert.equal(spec.ipc, true);
    assert.equal(spec.env.pm_id, '4');
  });

  it('runs a node app with an explicit node binary', () => {
    const spec = buildSpawnSpec(
      sampleConfig({ exec_interpreter: '/usr/local/bin/node', args: [] }),
      0,
      0,
      CTX,
    );
    assert.equal(spec.file, '/usr/local/bin/node');
    assert.deepEqual(spec.args, ['/srv/api/server.js']);
    assert.equal(spec.ipc, true);
  });

  it('loads tsx for a .ts file on Node 20, before the node args', () => {
    const cfg = sampleConfig({
      pm_exec_path: '/srv/api/main.ts',
      node_args: ['--trace-warnings'],
      args: ['x'],
    });
    const spec = buildSpawnSpec(cfg, 0, 0, CTX);
    assert.deepEqual(spec.args, ['--import', TSX, '--trace-warnings', '/srv/api/main.ts', 'x']);
    const mts = buildSpawnSpec(sampleConfig({ pm_exec_path: '/srv/api/MAIN.MTS', args: [] }), 0, 0, CTX);
    assert.deepEqual(mts.args, ['--import', TSX, '/srv/api/MAIN.MTS']);
  });

  it('relies on native type stripping where Node has it', () => {
    const cfg = sampleConfig({ pm_exec_path: '/srv/api/main.ts', args: [] });
    const spec = buildSpawnSpec(cfg, 0, 0, { ...CTX, nodeVersion: 'v22.18.0' });
    assert.deepEqual(spec.args, ['/srv/api/main.ts']);
  });

  it('without tsx, a TypeScript app on an older Node gets the install hint; others do not need it', () => {
    const noTsx = { ...CTX, tsxLoaderUrl: '' };
    const ts = sampleConfig({ pm_exec_path: '/srv/api/main.ts', args: [] });
    assert.match(missingTypescriptLoader(ts, noTsx) ?? '', /tsx is not installed: `npm install -g tsx`/);
    assert.equal(missingTypescriptLoader(ts, { ...noTsx, nodeVersion: 'v22.18.0' }), undefined);
    assert.equal(missingTypescriptLoader(ts, CTX), undefined);
    const js = sampleConfig({ pm_exec_path: '/srv/api/server.js', args: [] });
    assert.equal(missingTypescriptLoader(js, noTsx), undefined);
    const bun = sampleConfig({ pm_exec_path: '/srv/api/main.ts', exec_interpreter: 'bun', args: [] });
    assert.equal(missingTypescriptLoader(bun, noTsx), undefined);
  });

  it('runs a script with interpreter none by itself, without IPC', () => {
    const cfg = sampleConfig({
      exec_interpreter: 'none',
      pm_exec_path: '/usr/bin/sleep',
      args: ['1000'],
      node_args: ['--ignored'],
    });
    const spec = buildSpawnSpec(cfg, 0, 0, CTX);
    assert.deepEqual(spec, {
      file: '/usr/bin/sleep',
      args: ['1000'],
      cwd: '/srv/api',
      env: processEnv(cfg, 0, 0, HOME),
      ipc: false,
      stdio: ['pipe', 'pipe', 'pipe'],
      readyFd: null,
    });
  });

  it('runs another interpreter with its args, then the script, then the app args', () => {
    const cfg = sampleConfig({
      exec_interpreter: 'python3',
      pm_exec_path: '/srv/py/worker.py',
      pm_cwd: '/srv/py',
      node_args: ['-X', 'dev'],
      args: ['--queue', 'a'],
    });
    const spec = buildSpawnSpec(cfg, 0, 0, CTX);
    assert.equal(spec.file, 'python3');
    assert.deepEqual(spec.args, ['-X', 'dev', '/srv/py/worker.py', '--queue', 'a']);
    assert.equal(spec.ipc, false);
    assert.equal(spec.env.PYTHONUNBUFFERED, '1');
  });

  it('does not share arrays with the config', () => {
    const cfg = sampleConfig({ exec_interpreter: 'none', args: ['a'] });
    const spec = buildSpawnSpec(cfg, 0, 0, CTX);
    spec.args.push('b');
    assert.deepEqual(cfg.args, ['a']);
  });
});

describe('buildSpawnSpec: sockets, readiness, agent', () => {
  const ctx = { ...CTX, agentPath: '/pkg/dist/src/agent/preload.cjs' };

  it('passes listening sockets as fd 3… through a sh wrapper that sets LISTEN_PID', () => {
    const cfg = sampleConfig({ exec_interpreter: 'none', pm_exec_path: '/srv/bin/app', args: ['-v'] });
    const spec = buildSpawnSpec(cfg, 0, 0, ctx, {
      listenFds: [21, 22],
      listenNames: ['127.0.0.1:80', '[::]:443'],
      readyPipe: true,
    });
    assert.equal(spec.file, '/bin/sh');
    assert.deepEqual(spec.args, [
      '-c',
      'LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@"',
      '/srv/bin/app',
      '-v',
    ]);
    assert.deepEqual(spec.stdio, ['pipe', 'pipe', 'pipe', 21, 22, 'pipe']);
    assert.equal(spec.env.LISTEN_FDS, '2');
    assert.equal(spec.env.LISTEN_FDNAMES, '127.0.0.1:80:[::]:443');
    assert.equal(spec.readyFd, 5);
    assert.equal(spec.env.STEWARD_READY_FD, '5');
  });

  it('preloads the agent into Node apps (unless agent is off) and marks cluster mode', () => {
    const cfg = sampleConfig({ exec_mode: 'cluster_mode' });
    const spec = buildSpawnSpec(cfg, 0, 0, ctx);
    assert.deepEqual(spec.args.slice(0, 2), ['--require', ctx.agentPath]);
    assert.equal(spec.env.STEWARD_CLUSTER, '1');
    assert.deepEqual(spec.stdio, ['pipe', 'pipe', 'pipe', 'ipc']);
    const off = buildSpawnSpec(sampleConfig({ agent: false }), 0, 0, ctx);
    assert.ok(!off.args.includes('--require'));
    assert.equal(off.env.STEWARD_CLUSTER, undefined);
  });
});
