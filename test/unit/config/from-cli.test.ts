import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { appFromCli, resolveInstances, splitArgs, type StartFlags } from '../../../src/config/from-cli.js';
import { which } from '../../../src/config/resolve-script.js';
import { tmpDir } from '../../helpers.js';
import { throwsCode } from '../support.js';

let dir = '';
const PATH = process.env.PATH ?? '/usr/bin:/bin';
const ENV: NodeJS.ProcessEnv = { PATH, HOME: '/home/tester', LANG: 'C.UTF-8' };

function start(script: string, flags: StartFlags = {}, args: string[] = [], env = ENV) {
  return appFromCli(script, args, flags, { cwd: dir, env }, 4);
}

before(() => {
  dir = tmpDir();
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'demo', version: '2.3.4' }));
  writeFileSync(join(dir, 'app.js'), 'setInterval(() => {}, 1000);\n');
  writeFileSync(join(dir, 'my app.js'), 'setInterval(() => {}, 1000);\n');
  mkdirSync(join(dir, 'py'));
  writeFileSync(join(dir, 'py', 'worker.py'), 'import time\ntime.sleep(1000)\n');
  writeFileSync(join(dir, 'plain-file'), 'not a directory\n');
});

after(() => rmSync(dir, { recursive: true, force: true }));

describe('appFromCli: scripts', () => {
  it('builds the config of a .js file with PM2 defaults', () => {
    const cfg = start('app.js', {}, ['--port', '3000']);
    assert.equal(cfg.name, 'app');
    assert.equal(cfg.namespace, 'default');
    assert.equal(cfg.script, 'app.js');
    assert.equal(cfg.pm_exec_path, join(dir, 'app.js'));
    assert.equal(cfg.pm_cwd, dir);
    assert.deepEqual(cfg.args, ['--port', '3000']);
    assert.equal(cfg.exec_interpreter, 'node');
    assert.deepEqual(cfg.node_args, []);
    assert.equal(cfg.exec_mode, 'fork_mode');
    assert.equal(cfg.instances, 1);
    assert.equal(cfg.autorestart, true);
    assert.deepEqual(cfg.stop_exit_codes, []);
    assert.equal(cfg.min_uptime, 1000);
    assert.equal(cfg.max_restarts, 16);
    assert.equal(cfg.restart_delay, 0);
    assert.equal(cfg.exp_backoff_restart_delay, 0);
    assert.equal(cfg.kill_timeout, 1600);
    assert.equal(cfg.kill_signal, 'SIGINT');
    assert.equal(cfg.out_file, '');
    assert.equal(cfg.error_file, '');
    assert.equal(cfg.log_file, null);
    assert.equal(cfg.merge_logs, true);
    assert.equal(cfg.max_memory_restart, null);
    assert.equal(cfg.instance_var, 'NODE_APP_INSTANCE');
    assert.equal(cfg.version, '2.3.4');
    assert.equal(cfg.username, userInfo().username);
    assert.deepEqual(cfg.shell_env, { PATH, HOME: '/home/tester', LANG: 'C.UTF-8' });
    assert.deepEqual(cfg.env, {});
  });

  it('infers python3 for a .py file and resolves it against --cwd', () => {
    const cfg = start('worker.py', { cwd: 'py' });
    assert.equal(cfg.pm_cwd, join(dir, 'py'));
    assert.equal(cfg.pm_exec_path, join(dir, 'py', 'worker.py'));
    assert.equal(cfg.exec_interpreter, 'python3');
    assert.equal(cfg.name, 'worker');
  });

  it('accepts an absolute script path and keeps an explicit --interpreter and --name', () => {
    const cfg = start(join(dir, 'py', 'worker.py'), { interpreter: '/usr/bin/python3.12', name: 'w' });
    assert.equal(cfg.pm_exec_path, join(dir, 'py', 'worker.py'));
    assert.equal(cfg.exec_interpreter, '/usr/bin/python3.12');
    assert.equal(cfg.name, 'w');
  });

  it('finds a command on PATH and runs it directly', () => {
    const sleep = which('sleep', PATH);
    assert.ok(sleep, 'sleep must be on PATH for this test');
    const cfg = start('sleep', {}, ['1000']);
    assert.equal(cfg.pm_exec_path, sleep);
    assert.equal(cfg.exec_interpreter, 'none');
    assert.equal(cfg.name, 'sleep');
    assert.deepEqual(cfg.args, ['1000']);
    assert.equal(cfg.version, 'N/A');
  });

  it('runs a command line with spaces through bash -c', () => {
    const cfg = start('sleep 1000 && echo done', {}, ['extra']);
    assert.equal(cfg.pm_exec_path, which('bash', PATH) ?? '/bin/bash');
    assert.equal(cfg.exec_interpreter, 'none');
    assert.deepEqual(cfg.args, ['-c', 'sleep 1000 && echo done', 'extra']);
    assert.equal(cfg.name, 'sleep');
  });

  it('prefers an existing file whose name has spaces over bash -c', () => {
    const cfg = start('my app.js');
    assert.equal(cfg.pm_exec_path, join(dir, 'my app.js'));
    assert.equal(cfg.exec_interpreter, 'node');
    assert.deepEqual(cfg.args, []);
  });

  it('throws E_SCRIPT_NOT_FOUND for a missing script', () => {
    throwsCode(() => start('missing.js'), 'E_SCRIPT_NOT_FOUND', /script not found: missing\.js/);
    throwsCode(() => start('no-such-command-xyz'), 'E_SCRIPT_NOT_FOUND');
    // A command is looked up on the PATH of the starting shell, not the daemon's.
    throwsCode(() => start('sleep', {}, [], { PATH: dir }), 'E_SCRIPT_NOT_FOUND');
  });

  it('throws E_BAD_OPTION for a --cwd that is missing or not a directory', () => {
    throwsCode(
      () => start('app.js', { cwd: 'nowhere' }),
      'E_BAD_OPTION',
      /--cwd: .*nowhere is not a directory/,
    );
    throwsCode(() => start('app.js', { cwd: 'plain-file' }), 'E_BAD_OPTION', /--cwd/);
  });

  it('takes the instance variable name from PM2_PROCESS_INSTANCE_VAR', () => {
    const cfg = start('app.js', {}, [], { ...ENV, PM2_PROCESS_INSTANCE_VAR: 'INSTANCE_ID' });
    assert.equal(cfg.instance_var, 'INSTANCE_ID');
  });
});

describe('appFromCli: options', () => {
  it('parses numbers, durations and sizes', () => {
    const cfg = start('app.js', {
      maxRestarts: '3',
      minUptime: '5s',
      restartDelay: '250',
      expBackoffRestartDelay: '100ms',
      killTimeout: '3s',
      restartLimit: '10',
      restartLimitWindow: '2m',
      maxMemoryRestart: '300M',
      killSignal: 'term',
    });
    assert.equal(cfg.max_restarts, 3);
    assert.equal(cfg.min_uptime, 5000);
    assert.equal(cfg.restart_delay, 250);
    assert.equal(cfg.exp_backoff_restart_delay, 100);
    assert.equal(cfg.kill_timeout, 3000);
    assert.equal(cfg.restart_limit, 10);
    assert.equal(cfg.restart_limit_window, 120_000);
    assert.equal(cfg.max_memory_restart, 300 * 1024 * 1024);
    assert.equal(cfg.kill_signal, 'SIGTERM');
  });

  const badFlags: [string, StartFlags][] = [
    ['--max-restarts', { maxRestarts: 'many' }],
    ['--max-restarts', { maxRestarts: '-1' }],
    ['--max-restarts', { maxRestarts: '1.5' }],
    ['--max-restarts', { maxRestarts: '' }],
    ['--restart-limit', { restartLimit: ' ' }],
    ['--min-uptime', { minUptime: 'soon' }],
    ['--restart-delay', { restartDelay: '-5' }],
    ['--exp-backoff-restart-delay', { expBackoffRestartDelay: '1y' }],
    ['--kill-timeout', { killTimeout: '' }],
    ['--restart-limit-window', { restartLimitWindow: 'ten' }],
    ['--max-memory-restart', { maxMemoryRestart: 'lots' }],
    ['--kill-signal', { killSignal: 'SIG TERM' }],
    ['--log-type', { logType: 'xml' }],
    ['--stop-exit-codes', { stopExitCodes: ['1', 'two'] }],
    ['--instances', { instances: 'two' }],
  ];
  for (const [flag, flags] of badFlags) {
    it(`throws E_BAD_OPTION for ${flag} ${JSON.stringify(Object.values(flags)[0])}`, () => {
      const err = throwsCode(() => start('app.js', flags), 'E_BAD_OPTION');
      assert.ok(err.message.startsWith(`${flag}: expected `), err.message);
      assert.ok(err.hint);
    });
  }

  it('parses --stop-exit-codes given repeated or comma-separated', () => {
    assert.deepEqual(start('app.js', { stopExitCodes: ['0', '3,4'] }).stop_exit_codes, [0, 3, 4]);
  });

  it('resolves -i max, 0 and -1 against the CPU count', () => {
    assert.equal(start('app.js', { instances: 'max' }).instances, 4);
    assert.equal(start('app.js', { instances: '0' }).instances, 4);
    assert.equal(start('app.js', { instances: '-1' }).instances, 3);
    assert.equal(start('app.js', { instances: '2' }).instances, 2);
  });

  it('turns /dev/null and NULL log paths into null, and resolves the others against the cwd', () => {
    const cfg = start('app.js', { output: '/dev/null', error: 'NULL', log: 'logs/all.log' });
    assert.equal(cfg.out_file, null);
    assert.equal(cfg.error_file, null);
    assert.equal(cfg.log_file, join(dir, 'logs/all.log'));
    const cfg2 = start('app.js', { output: 'out.log', error: '/var/log/err.log', log: true });
    assert.equal(cfg2.out_file, join(dir, 'out.log'));
    assert.equal(cfg2.error_file, '/var/log/err.log');
    assert.equal(cfg2.log_file, '');
    assert.equal(start('app.js', { log: false }).log_file, null);
  });

  it('splits --node-args and --interpreter-args', () => {
    const cfg = start('app.js', {
      nodeArgs: '--max-old-space-size=128 --trace-warnings',
      interpreterArgs: '--inspect',
    });
    assert.deepEqual(cfg.node_args, ['--max-old-space-size=128', '--trace-warnings', '--inspect']);
  });

  it('sets the log date format from --time unless one is given', () => {
    assert.equal(start('app.js', { time: true }).log_date_format, 'YYYY-MM-DDTHH:mm:ss');
    assert.equal(start('app.js', { time: true, logDateFormat: 'HH:mm' }).log_date_format, 'HH:mm');
    assert.equal(start('app.js').log_date_format, null);
  });

  it('passes the boolean and filter flags through', () => {
    const cfg = start('app.js', {
      autorestart: false,
      autostart: false,
      treekill: false,
      shutdownWithMessage: true,
      mergeLogs: false,
      filterEnv: ['AWS_'],
      namespace: 'jobs',
      logType: 'json',
    });
    assert.equal(cfg.autorestart, false);
    assert.equal(cfg.autostart, false);
    assert.equal(cfg.treekill, false);
    assert.equal(cfg.shutdown_with_message, true);
    assert.equal(cfg.merge_logs, false);
    assert.deepEqual(cfg.filter_env, ['AWS_']);
    assert.equal(cfg.namespace, 'jobs');
    assert.equal(cfg.log_type, 'json');
  });
});

describe('resolveInstances', () => {
  it('defaults to one instance', () => {
    assert.equal(resolveInstances(undefined, 8), 1);
  });

  it('follows PM2: max and 0 mean all CPUs, -N means CPUs minus N, never below 1', () => {
    assert.equal(resolveInstances('max', 8), 8);
    assert.equal(resolveInstances('0', 8), 8);
    assert.equal(resolveInstances(0, 8), 8);
    assert.equal(resolveInstances('-1', 8), 7);
    assert.equal(resolveInstances('-100', 8), 1);
    assert.equal(resolveInstances('-1', 1), 1);
    assert.equal(resolveInstances(' 3 ', 8), 3);
    assert.equal(resolveInstances(12, 8), 12);
  });

  it('takes max in any case, as PM2 does (-i MAX)', () => {
    assert.equal(resolveInstances('MAX', 8), 8);
    assert.equal(resolveInstances('Max', 8), 8);
  });

  it('throws E_BAD_OPTION for anything else', () => {
    for (const v of ['two', '1.5', 'maximum', '3x']) {
      throwsCode(() => resolveInstances(v, 8), 'E_BAD_OPTION', /^--instances: /);
    }
  });
});

describe('splitArgs', () => {
  it('splits on whitespace', () => {
    assert.deepEqual(splitArgs('  --a   --b=1\t-c '), ['--a', '--b=1', '-c']);
    assert.deepEqual(splitArgs(''), []);
    assert.deepEqual(splitArgs('   '), []);
  });

  it('keeps quoted strings together, without the quotes', () => {
    assert.deepEqual(splitArgs(`"a b" 'c d' e`), ['a b', 'c d', 'e']);
    assert.deepEqual(splitArgs('""'), ['']);
  });

  it('keeps a key="value with spaces" together', () => {
    assert.deepEqual(splitArgs('--title="my app" --x=1'), ['--title=my app', '--x=1']);
    assert.deepEqual(splitArgs(`--require='./a b.js'`), ['--require=./a b.js']);
    assert.deepEqual(splitArgs(`-e "a"'b'c`), ['-e', 'abc']);
  });

  it('keeps a lone quote as a character', () => {
    assert.deepEqual(splitArgs(`it's here`), [`it's`, 'here']);
    assert.deepEqual(splitArgs(`"open`), [`"open`]);
  });

  it('backslash escapes, as in a shell: outside quotes, and before " \\ $ inside double quotes', () => {
    assert.deepEqual(splitArgs('a\\ b c'), ['a b', 'c']);
    assert.deepEqual(splitArgs('--msg="say \\"hi\\""'), ['--msg=say "hi"']);
    assert.deepEqual(splitArgs(`'a\\b'`), ['a\\b'], 'no escapes inside single quotes');
    assert.deepEqual(splitArgs('"a\\nb"'), ['a\\nb'], 'a backslash before another letter stays');
    assert.deepEqual(splitArgs("it\\'s here"), ["it's", 'here']);
    assert.deepEqual(splitArgs('C:\\\\dir'), ['C:\\dir']);
    assert.deepEqual(splitArgs('x\\'), ['x\\'], 'a trailing backslash is a character');
  });

  it('nothing is expanded or run: variables, globs, operators and # are text (there is no shell)', () => {
    assert.deepEqual(splitArgs('$HOME ${FOO} "$BAR"'), ['$HOME', '${FOO}', '$BAR']);
    assert.deepEqual(splitArgs('--files=*.js a?c [x]'), ['--files=*.js', 'a?c', '[x]']);
    assert.deepEqual(splitArgs('a|b c>d e;f (g) h&'), ['a|b', 'c>d', 'e;f', '(g)', 'h&']);
    assert.deepEqual(splitArgs('#tag --color=#fff'), ['#tag', '--color=#fff']);
    assert.deepEqual(splitArgs('`id` ~/x'), ['`id`', '~/x']);
  });
});

describe('parseListen', () => {
  it('normalises ports and addresses; a bare port is 127.0.0.1', async () => {
    const { parseListen } = await import('../../../src/config/normalize.js');
    assert.equal(parseListen('8000'), '127.0.0.1:8000');
    assert.equal(parseListen(':8000'), '127.0.0.1:8000');
    assert.equal(parseListen('0.0.0.0:80'), '0.0.0.0:80');
    assert.equal(parseListen('[::]:443'), '[::]:443');
    assert.equal(parseListen('localhost:3000'), 'localhost:3000');
    for (const bad of ['', 'abc', '70000', 'host:', '1.2.3.4:0'])
      assert.equal(parseListen(bad), undefined, bad);
  });
});
