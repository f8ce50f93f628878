import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { availableParallelism, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before, describe, it } from 'node:test';
import { Home, readText, waitFor, type JlistEntry, type RunResult } from '../helpers.js';
import { clearHome, copyCorpus, named, one, reportOf, reportPath, type Report } from './ecosystem-support.js';

/**
 * The corpus of test/fixtures/ecosystems: every good file starts the right apps with the right
 * options (seen in `jlist` and by the apps themselves) and passes `validate`; every broken file is
 * refused with a precise message and starts nothing.
 */

const NODE = process.execPath;

interface Started {
  list: JlistEntry[];
  /** Reports of the running processes, by pm_id. */
  reports: Map<number, Report>;
  stderr: string;
}

interface GoodCase {
  /** Test title. */
  title: string;
  /** Arguments after `start` (the file and flags); `validate` gets the same. */
  args: string[];
  /** Shell environment for `start`. */
  env?: NodeJS.ProcessEnv;
  /** Expected `validate` line (after `<file>: ok, `). */
  validate: RegExp;
  check(s: Started): void | Promise<void>;
}

describe('ecosystem files: the good corpus', () => {
  const home = new Home();
  const corpus = copyCorpus();
  const { good, apps } = corpus;
  const REPORT = join(apps, 'report.js');
  after(async () => {
    await home.cleanup();
    corpus.remove();
  });
  afterEach(() => clearHome(home));

  async function start(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Started> {
    // Every app is checked through its report below: no need to watch for an early crash.
    const r = await home.ok(['start', ...args], { cwd: good, env: { STEWARD_START_SETTLE_MS: '0', ...env } });
    const list = await home.jlist();
    const reports = new Map<number, Report>();
    for (const e of list) if (e.pid > 0) reports.set(e.pm_id, await reportOf(home, e));
    return { list, reports, stderr: r.stderr };
  }
  const rep = (s: Started, e: JlistEntry): Report => {
    const r = s.reports.get(e.pm_id);
    assert.ok(r, `report of ${e.name}`);
    return r;
  };

  const cases: GoodCase[] = [
    {
      title: 'ecosystem.config.js (CommonJS, PM2 layout): two apps, env, args string and array, node_args',
      args: ['ecosystem.config.js'],
      validate: /^2 apps: api \(.*report\.js, 1×\), worker/,
      check(s) {
        assert.deepEqual(
          s.list.map((e) => e.name),
          ['api', 'worker'],
        );
        const api = one(s.list, 'api');
        const p = api.pm2_env;
        assert.equal(p.namespace, 'web');
        assert.equal(p.status, 'online');
        assert.equal(p.exec_mode, 'fork_mode');
        assert.equal(p.pm_cwd, good);
        assert.deepEqual(p.args, ['--port', '3000', '--title', 'my api']);
        assert.deepEqual(p.node_args, ['--max-old-space-size=128']);
        assert.equal(p.kill_timeout, 3000);
        assert.equal(p.max_restarts, 10);
        assert.equal(p.min_uptime, 2000);
        assert.equal(p.env.NODE_ENV, 'development');
        assert.equal(p.env.DEBUG, 'true', 'values are turned into strings');
        assert.equal(p.env.RETRIES, '3');
        const r = rep(s, api);
        assert.deepEqual(r.argv, [NODE, REPORT, '--port', '3000', '--title', 'my api']);
        assert.deepEqual(r.execArgv, ['--max-old-space-size=128']);
        assert.equal(r.cwd, good);
        assert.equal(r.env.NODE_ENV, 'development');
        assert.equal(r.env.API_URL, 'http://localhost:3000');
        assert.equal(r.env.DEBUG, 'true');
        assert.equal(r.env.DEPLOYED_BY, undefined, 'deploy env only with --env');
        assert.equal(r.env.name, 'api');
        assert.equal(r.env.namespace, 'web');

        const worker = one(s.list, 'worker');
        const w = worker.pm2_env;
        assert.equal(w.namespace, 'default');
        assert.deepEqual(w.args, ['--queue', 'emails', '--concurrency=2']);
        assert.equal(w.autorestart, true);
        assert.equal(w.exp_backoff_restart_delay, 100);
        const st = worker.steward as {
          restart_limit: number;
          restart_limit_window: number;
          env_name: unknown;
        };
        assert.equal(st.restart_limit, 20);
        assert.equal(st.restart_limit_window, 300_000);
        assert.equal(st.env_name, null);
        const wr = rep(s, worker);
        assert.deepEqual(wr.argv, [NODE, REPORT, '--queue', 'emails', '--concurrency=2']);
        assert.equal(wr.env.WORKER_QUEUE, 'emails');
      },
    },
    {
      title: 'ecosystem.config.js --env production: env_production over env, deploy env under it',
      args: ['ecosystem.config.js', '--env', 'production'],
      validate: /^2 apps: api .*, worker/,
      check(s) {
        const api = one(s.list, 'api');
        const r = rep(s, api);
        assert.equal(r.env.NODE_ENV, 'production');
        assert.equal(r.env.API_URL, 'https://api.example.com');
        assert.equal(r.env.RETRIES, '3', 'env stays the base');
        assert.equal(r.env.DEPLOYED_BY, 'deploy-section');
        assert.equal(api.pm2_env.env.NODE_ENV, 'production');
        assert.equal((api.steward as { env_name: string }).env_name, 'production');
        const wr = rep(s, one(s.list, 'worker'));
        assert.equal(wr.env.NODE_ENV, 'production');
        assert.equal(wr.env.WORKER_QUEUE, 'emails');
        assert.equal(wr.env.DEPLOYED_BY, 'deploy-section');
      },
    },
    {
      title: 'ecosystem.config.js is found when start has no argument',
      args: [],
      validate: /^2 apps: api .*, worker/,
      check(s) {
        assert.deepEqual(
          s.list.map((e) => [e.name, e.pm2_env.status]),
          [
            ['api', 'online'],
            ['worker', 'online'],
          ],
        );
        assert.equal(rep(s, one(s.list, 'api')).env.NODE_ENV, 'development');
      },
    },
    {
      title: 'cluster.config.cjs: instances "max", exec_mode cluster, port + increment_var, instance_var',
      args: ['cluster.config.cjs'],
      validate: new RegExp(`^1 app: web-cluster \\(.*, ${availableParallelism()}×\\)`),
      check(s) {
        const procs = named(s.list, 'web-cluster');
        assert.equal(procs.length, availableParallelism());
        procs.forEach((e, index) => {
          assert.equal(e.pm2_env.exec_mode, 'cluster_mode');
          assert.equal(e.pm2_env.instances, availableParallelism());
          assert.equal(e.pm2_env.instance_var, 'INSTANCE_ID');
          assert.equal(e.pm2_env.INSTANCE_ID, index);
          assert.equal(e.pm2_env.merge_logs, true);
          assert.equal(e.pm2_env.pm_out_log_path, procs[0]?.pm2_env.pm_out_log_path, 'one merged log');
          const r = rep(s, e);
          assert.equal(r.env.PORT, String(4100 + index));
          assert.equal(r.env.INSTANCE_ID, String(index));
          assert.equal(r.env.NODE_APP_INSTANCE, undefined, 'renamed by instance_var');
          assert.equal(r.env.NODE_ENV, 'production');
        });
      },
    },
    {
      title:
        'esm-default.config.mjs: export default, cwd from import.meta.url, args and interpreter_args arrays',
      args: ['esm-default.config.mjs'],
      validate: /^1 app: esm-default /,
      check(s) {
        const e = one(s.list, 'esm-default');
        assert.equal(e.pm2_env.pm_cwd, apps);
        assert.deepEqual(e.pm2_env.node_args, ['--no-warnings', '--stack-size=2000']);
        assert.deepEqual(e.pm2_env.args, ['one', 'two words', '3']);
        const r = rep(s, e);
        assert.equal(r.cwd, apps);
        assert.deepEqual(r.argv, [NODE, REPORT, 'one', 'two words', '3']);
        assert.deepEqual(r.execArgv, ['--no-warnings', '--stack-size=2000']);
        assert.equal(r.env.FORMAT, 'esm-default');
      },
    },
    {
      title: 'esm-named.config.mjs: export const apps, camelCase keys',
      args: ['esm-named.config.mjs'],
      validate: /^1 app: esm-named /,
      check(s) {
        const e = one(s.list, 'esm-named');
        const p = e.pm2_env;
        assert.equal(p.max_restarts, 7);
        assert.equal(p.min_uptime, 3000);
        assert.equal(p.kill_timeout, 2500);
        assert.equal(p.restart_delay, 250);
        assert.deepEqual(p.stop_exit_codes, [3]);
        assert.deepEqual(p.node_args, ['--no-deprecation']);
        const r = rep(s, e);
        assert.deepEqual(r.execArgv, ['--no-deprecation']);
        assert.equal(r.env.FORMAT, 'esm-named');
      },
    },
    {
      title: 'esm-package/ecosystem.config.js: a .js config in a "type": "module" package',
      args: ['esm-package/ecosystem.config.js'],
      validate: /^1 app: esm-package \(.*esm-package\/server\.js, 1×\)$/,
      check(s) {
        const e = one(s.list, 'esm-package');
        const dir = join(good, 'esm-package');
        assert.equal(e.pm2_env.pm_exec_path, join(dir, 'server.js'));
        assert.equal(e.pm2_env.pm_cwd, dir, 'the script was found next to the config: it runs there');
        assert.equal(e.pm2_env.version, '3.1.4');
        const r = rep(s, e);
        assert.equal(r.cwd, dir);
        assert.deepEqual(r.argv, [NODE, join(dir, 'server.js')]);
        assert.equal(r.env.FORMAT, 'esm-package');
      },
    },
    {
      title: 'plain.json: env_file under env, filter_env by name, autorestart false',
      args: ['plain.json'],
      env: { STW_SECRET_TOKEN: 's3cr3t', STW_PUBLIC: 'pub' },
      validate: /^1 app: json-app /,
      check(s) {
        const e = one(s.list, 'json-app');
        assert.deepEqual(e.pm2_env.filter_env, ['STW_SECRET_']);
        assert.equal(e.pm2_env.autorestart, false);
        assert.equal(e.pm2_env.env.STW_SECRET_TOKEN, undefined);
        const r = rep(s, e);
        assert.equal(r.env.DOTENV_ONLY, 'from-dotenv');
        assert.equal(r.env.QUOTED, 'hello dotenv');
        assert.equal(r.env.SHARED, 'from-env', 'env wins over env_file');
        assert.equal(r.env.LEVEL, '2');
        assert.equal(r.env.STW_SECRET_TOKEN, undefined, 'dropped by filter_env');
        assert.equal(r.env.STW_PUBLIC, 'pub', 'other shell variables are inherited');
      },
    },
    {
      title:
        'pm2-literal.json: comments, unquoted keys, single quotes; cmd/out/err/cron aliases; pmx and vizion quietly',
      args: ['pm2-literal.json'],
      validate: /^1 app: aliases \(.*report\.js, 1×\)$/,
      async check(s) {
        assert.equal(s.stderr, '', 'no warning for PM2 Plus keys');
        const e = one(s.list, 'aliases');
        const p = e.pm2_env;
        assert.equal(p.pm_exec_path, REPORT);
        assert.equal(p.pm_out_log_path, join(good, 'logs/aliases-out.log'));
        assert.equal(p.pm_err_log_path, join(good, 'logs/aliases-err.log'));
        assert.equal(p.cron_restart, '0 3 * * *');
        const r = rep(s, e);
        assert.equal(r.env['QUOTED-KEY'], 'single');
        assert.equal(r.env.plain_key, 'double');
        await waitFor(
          () => readText(join(good, 'logs/aliases-out.log')).includes(`report ${e.pid} written`),
          'output in the out file',
        );
      },
    },
    {
      title: 'services.json5: kill_signal, treekill, pid_file, log_file, error_file NULL, size in bytes',
      args: ['services.json5'],
      validate: /^1 app: json5-app /,
      async check(s) {
        const e = one(s.list, 'json5-app');
        const p = e.pm2_env;
        assert.equal((e.steward as { kill_signal: string }).kill_signal, 'SIGTERM');
        assert.equal(p.treekill, false);
        assert.equal(p.shutdown_with_message, false);
        assert.equal(p.max_memory_restart, 52_428_800);
        assert.equal(p.pm_err_log_path, '/dev/null');
        assert.equal(p.pm_log_path, join(good, 'logs/json5-combined.log'));
        const pidFile = join(good, `pids/json5-app-${e.pm_id}.pid`);
        assert.equal(p.pm_pid_path, pidFile);
        assert.equal(
          await waitFor(() => readText(pidFile), 'pid file in a directory that did not exist'),
          `${e.pid}\n`,
        );
        await waitFor(
          () => readText(join(good, 'logs/json5-combined.log')).includes(`report ${e.pid}`),
          'combined log',
        );
      },
    },
    {
      title: 'ecosystem.yml --only: two of three apps, instances 2 with increment_var, merge_logs false',
      args: ['ecosystem.yml', '--only', 'yaml-web,yaml-jobs'],
      validate: /^2 apps: yaml-web \(.*, 2×\), yaml-jobs \(.*, 1×\)$/,
      check(s) {
        assert.deepEqual(
          s.list.map((e) => e.name),
          ['yaml-web', 'yaml-web', 'yaml-jobs'],
        );
        const web = named(s.list, 'yaml-web');
        web.forEach((e, index) => {
          assert.equal(e.pm2_env.merge_logs, false);
          assert.match(String(e.pm2_env.pm_out_log_path), new RegExp(`yaml-web-out-${e.pm_id}\\.log$`));
          const r = rep(s, e);
          assert.equal(r.env.SERVICE, 'web');
          assert.equal(r.env.PORT, String(5000 + index));
          assert.equal(r.env.NODE_APP_INSTANCE, String(index));
        });
        assert.equal(rep(s, one(s.list, 'yaml-jobs')).env.SERVICE, 'jobs');
      },
    },
    {
      title: 'interpreters.yaml: interpreter none, exec_interpreter bash, node for a file without extension',
      args: ['interpreters.yaml'],
      validate: /^3 apps: bin-none .*, sh-bash .*, node-explicit /,
      check(s) {
        const none = one(s.list, 'bin-none');
        assert.equal(none.pm2_env.exec_interpreter, 'none');
        const nr = rep(s, none);
        assert.deepEqual(nr.argv.slice(1), [join(apps, 'report-bin'), '--direct']);

        const sh = one(s.list, 'sh-bash');
        assert.equal(sh.pm2_env.exec_interpreter, 'bash');
        const sr = rep(s, sh);
        assert.ok(sr.env.RAN_BY_BASH && sr.env.RAN_BY_BASH !== 'no', 'ran through bash');
        assert.deepEqual(sr.argv.slice(1), [REPORT, '--from-bash']);

        const nd = one(s.list, 'node-explicit');
        assert.equal(nd.pm2_env.exec_interpreter, 'node');
        const ndr = rep(s, nd);
        assert.deepEqual(ndr.argv, [NODE, join(apps, 'report-bin')]);
        assert.deepEqual(ndr.execArgv, ['--no-warnings']);
      },
    },
    {
      title: 'staging.config.js --env staging: filter_env true, append_env_to_name',
      args: ['staging.config.js', '--env', 'staging'],
      env: { SHELL_ONLY: 'must not pass' },
      validate: /^1 app: isolated-staging /,
      check(s) {
        const e = one(s.list, 'isolated-staging');
        assert.equal(e.pm2_env.filter_env, true);
        const r = rep(s, e);
        assert.deepEqual(Object.keys(r.env).sort(), [
          'APP_MODE',
          'KEEP_ME',
          'NODE_APP_INSTANCE',
          'STEWARD_HOME',
          'STEWARD_SUPERVISOR',
          'name',
          'namespace',
          'pm_id',
        ]);
        assert.equal(r.env.APP_MODE, 'staging');
        assert.equal(r.env.name, 'isolated-staging');
      },
    },
    {
      title: 'autostart.config.js: autostart false registers the app stopped',
      args: ['autostart.config.js'],
      validate: /^2 apps: on-demand .*, always-on /,
      async check(s) {
        const od = one(s.list, 'on-demand');
        assert.equal(od.pm2_env.status, 'stopped');
        assert.equal(od.pm2_env.autostart, false);
        assert.equal(od.pid, 0);
        assert.equal(existsSync(reportPath(home, od.pm_id)), false, 'never ran');
        assert.equal(one(s.list, 'always-on').pm2_env.status, 'online');
        await home.ok(['start', 'on-demand']);
        const now = one(await home.jlist(), 'on-demand');
        assert.equal(now.pm2_env.status, 'online');
        assert.equal((await reportOf(home, now)).env.name, 'on-demand');
      },
    },
    {
      title: 'exit-codes.yaml: an exit code in stop_exit_codes is a stop, not a crash',
      args: ['exit-codes.yaml'],
      validate: /^1 app: one-shot /,
      async check(s) {
        const e = one(s.list, 'one-shot');
        assert.deepEqual(e.pm2_env.stop_exit_codes, [0]);
        const done = await waitFor(async () => {
          const x = one(await home.jlist(), 'one-shot');
          return x.pm2_env.status === 'stopped' ? x : undefined;
        }, 'one-shot to stop by itself');
        assert.equal(done.pm2_env.exit_code, 0);
        assert.equal(done.pm2_env.restart_time, 0);
        assert.equal(done.pm2_env.unstable_restarts, 0);
      },
    },
    {
      title: 'units.yaml: human units for durations and sizes, numeric strings',
      args: ['units.yaml'],
      validate: /^1 app: units /,
      check(s) {
        const e = one(s.list, 'units');
        const p = e.pm2_env;
        assert.equal(p.kill_timeout, 5000);
        assert.equal(p.restart_delay, 100);
        assert.equal(p.max_memory_restart, 300 * 1024 * 1024);
        assert.equal(p.min_uptime, 1500);
        assert.equal(p.listen_timeout, 8000);
        assert.equal(p.max_restarts, 5);
        assert.equal((e.steward as { restart_limit_window: number }).restart_limit_window, 120_000);
      },
    },
    {
      title: 'cwd-args.config.js: relative and absolute cwd, args as one quoted string, output /dev/null',
      args: ['cwd-args.config.js'],
      validate: /^2 apps: relative-cwd .*, absolute-cwd /,
      check(s) {
        const rel = one(s.list, 'relative-cwd');
        assert.equal(rel.pm2_env.pm_cwd, apps);
        const words = ['--title', 'two words', '--verbose', '-n=3', 'a b', 'say "hi"', '$HOME', '*.js'];
        assert.deepEqual(rel.pm2_env.args, words);
        const rr = rep(s, rel);
        assert.equal(rr.cwd, apps);
        assert.deepEqual(rr.argv, [NODE, REPORT, ...words]);
        const abs = one(s.list, 'absolute-cwd');
        assert.equal(abs.pm2_env.pm_out_log_path, '/dev/null');
        assert.equal(rep(s, abs).cwd, apps);
      },
    },
    {
      title: 'users.config.js: user/gid (the current user) set USER and HOME; force kept',
      args: ['users.config.js'],
      env: { USER: 'someone-else', HOME: '/nonexistent-home' },
      validate: /^1 app: as-me /,
      check(s) {
        const me = userInfo();
        const e = one(s.list, 'as-me');
        assert.equal(e.pm2_env.username, me.username);
        assert.equal(e.pm2_env.force, true);
        const r = rep(s, e);
        assert.equal(r.uid, me.uid);
        assert.equal(r.gid, me.gid);
        assert.equal(r.env.USER, me.username);
        assert.equal(r.env.HOME, me.homedir);
      },
    },
    {
      title:
        'bare-array.json: a bare array of apps; a command (alias of script) with spaces runs through bash -c',
      args: ['bare-array.json'],
      validate: /^1 app: bash-command \(.*bash, 1×\)$/,
      check(s) {
        const e = one(s.list, 'bash-command');
        assert.equal(e.pm2_env.exec_interpreter, 'none');
        assert.match(String(e.pm2_env.pm_exec_path), /\/bash$/);
        // As in PM2, `script` is not kept in pm2_env: the command line is in args.
        assert.equal(e.pm2_env.script, undefined);
        assert.deepEqual(e.pm2_env.args, ['-c', 'node ../apps/report.js --via-bash']);
        const r = rep(s, e);
        assert.deepEqual(r.argv.slice(1), [REPORT, '--via-bash']);
        assert.equal(r.cwd, good);
      },
    },
  ];

  for (const c of cases) {
    it(c.title, async () => {
      const s = await start(c.args, c.env);
      // validate runs alongside the checks (it starts nothing).
      const validating = home.run(['validate', ...c.args], { cwd: good, env: c.env ?? {} });
      assert.equal(s.stderr, '', 'no warning');
      await c.check(s);
      const v = await validating;
      assert.equal(v.code, 0, v.stderr);
      assert.equal(v.stderr, '');
      // With no argument, validate names the file it found, as start does.
      const file = c.args[0] ?? 'ecosystem.config.js';
      assert.ok(v.stdout.startsWith(`${file}: ok, `), v.stdout);
      assert.match(v.stdout.trim().slice(`${file}: ok, `.length), c.validate);
    });
  }

  it('reads JSON and YAML from standard input with `start -`', async () => {
    const json = JSON.stringify({
      apps: [{ name: 'from-stdin', script: '../apps/report.js', args: ['a b'], env: { VIA: 'json' } }],
    });
    const r = await home.run(['start', '-'], { cwd: good, input: json });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Applying start to from-stdin from stdin/);
    const e = one(await home.jlist(), 'from-stdin');
    const rp = await reportOf(home, e);
    assert.deepEqual(rp.argv, [NODE, REPORT, 'a b']);
    assert.equal(rp.env.VIA, 'json');

    const yaml = 'apps:\n  - name: yaml-stdin\n    script: ../apps/report.js\n    env:\n      VIA: yaml\n';
    const y = await home.run(['start', '-'], { cwd: good, input: yaml });
    assert.equal(y.code, 0, y.stderr);
    const ye = one(await home.jlist(), 'yaml-stdin');
    assert.equal((await reportOf(home, ye)).env.VIA, 'yaml');

    const v = await home.run(['validate', '-'], { cwd: good, input: json });
    assert.equal(v.code, 0, v.stderr);
    assert.match(v.stdout, /^stdin: ok, 1 app: from-stdin /);
    const bad = await home.run(['start', '-'], { cwd: good, input: '{ "apps": [ { "name": "x", ' });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^\[steward\] error: stdin: syntax error at line 1, column \d+: /);
  });
});

interface BrokenCase {
  file: string;
  args?: string[];
  /** The exact lines on stderr, or patterns for messages that come from Node itself. */
  lines: Array<string | RegExp>;
}

describe('ecosystem files: the broken corpus', () => {
  const home = new Home();
  const corpus = copyCorpus();
  const { broken } = corpus;
  const NOTHING = '(fix the file; nothing was started)';
  after(async () => {
    await home.cleanup();
    corpus.remove();
  });

  const cases: BrokenCase[] = [
    {
      file: 'syntax-error.config.js',
      lines: [
        /^\[steward\] error: syntax-error\.config\.js: syntax error at line 6: Unexpected identifier\b.* \(fix the file; it is run with Node to read it\)$/,
      ],
    },
    {
      file: 'syntax-error.config.mjs',
      lines: [
        /^\[steward\] error: syntax-error\.config\.mjs: syntax error: Unexpected token '}' \(fix the file; it is run with Node to read it\)$/,
      ],
    },
    {
      file: 'syntax-error.json',
      lines: [
        `[steward] error: syntax-error.json: syntax error at line 6, column 7: invalid character '\\"' (fix the JSON (comments, unquoted keys and trailing commas are fine))`,
      ],
    },
    {
      file: 'syntax-error.yaml',
      lines: [
        '[steward] error: syntax-error.yaml: syntax error at line 7, column 1: All mapping items must start at the same column (fix the YAML)',
      ],
    },
    {
      file: 'instances-lots.config.js',
      lines: [
        `[steward] error: instances-lots.config.js: apps[1] (api): instances: expected a number or "max", got "lots" ${NOTHING}`,
      ],
    },
    {
      file: 'autorestart-maybe.json',
      lines: [
        `[steward] error: autorestart-maybe.json: apps[0] (api): autorestart: expected true or false, got "maybe" ${NOTHING}`,
      ],
    },
    {
      file: 'kill-timeout-soon.yaml',
      lines: [
        `[steward] error: kill-timeout-soon.yaml: apps[2] (jobs): kill_timeout: expected a duration in ms or with a unit ("500ms", "5s", "2m", "1h"), got "soon" ${NOTHING}`,
      ],
    },
    {
      file: 'env-string.json5',
      lines: [
        `[steward] error: env-string.json5: apps[0] (api): env: expected an object of variables, got "x" ${NOTHING}`,
      ],
    },
    {
      file: 'env-production-string.config.js',
      lines: [
        `[steward] error: env-production-string.config.js: apps[0] (api): env_production: expected an object of variables, got "production" ${NOTHING}`,
      ],
    },
    {
      file: 'cron-three-fields.yml',
      lines: [
        `[steward] error: cron-three-fields.yml: apps[0] (nightly): cron_restart: expected a cron expression with 5 or 6 fields, got "0 3 *" ${NOTHING}`,
      ],
    },
    {
      file: 'empty-apps.json',
      lines: ['[steward] error: empty-apps.json: apps is empty (add at least one app with a script)'],
    },
    {
      file: 'apps-string.json',
      lines: [`[steward] error: apps-string.json: apps[0]: expected an app object, got "api" ${NOTHING}`],
    },
    {
      file: 'throws.config.js',
      lines: [
        '[steward] error: throws.config.js: error while loading at line 3, column 9: DATABASE_URL is not set (fix the file; it is run with Node to read it)',
      ],
    },
    {
      file: 'exports-nothing.config.mjs',
      lines: [
        '[steward] error: exports-nothing.config.mjs: exports nothing usable (export the config: `module.exports = { apps: [...] }` or `export default { apps: [...] }`)',
      ],
    },
    {
      file: 'no-script.yml',
      lines: [
        `[steward] error: no-script.yml: apps[1] (worker): script: required, got nothing (the file or command to run) ${NOTHING}`,
      ],
    },
    {
      file: 'missing-script.json',
      lines: [
        `[steward] error: missing-script.json: apps[1] (ghost): script not found: ./does-not-exist.js (not a file in ${broken}, not a command on PATH) ${NOTHING}`,
      ],
    },
    {
      file: 'duplicate-names.yaml',
      lines: [
        `[steward] error: duplicate-names.yaml: the name "api" is used by 2 apps; names must be unique in a file ${NOTHING}`,
      ],
    },
    {
      file: 'missing-cwd.json',
      lines: [
        `[steward] error: missing-cwd.json: apps[0] (api): cwd: ${join(broken, 'no/such/dir')} is not a directory ${NOTHING}`,
      ],
    },
    {
      file: 'only-target.config.js',
      args: ['--only', 'api,nobody'],
      lines: [
        '[steward] error: only-target.config.js: --only names no app called nobody (the file has: api, worker)',
      ],
    },
    {
      file: 'several-errors.yaml',
      lines: [
        '[steward] error: several-errors.yaml: apps[0] (api): instances: expected a number or "max", got "lots"',
        'several-errors.yaml: apps[0] (api): max_restarts: expected a whole number ≥ 0, got -1',
        'several-errors.yaml: apps[1] (web): exec_mode: expected "fork" or "cluster", got "spread"',
        `several-errors.yaml: apps[1] (web): stop_exit_codes: expected an exit code or an array of exit codes, got [0,"one"] ${NOTHING}`,
      ],
    },
  ];

  const sentinel = async () => {
    const list = await home.jlist();
    return list.map((e) => `${e.name}:${e.pid}:${e.pm2_env.status}:${e.pm2_env.restart_time}`);
  };
  let initial: string[] = [];
  /** The runs of every case, made up front and a few at a time (they fail before reaching the daemon). */
  const runs = new Map<BrokenCase, Array<{ cmd: string; r: RunResult }>>();

  before(async () => {
    // An app called "api" already runs: a broken file must neither start another nor restart it.
    await home.ok(['start', '../apps/report.js', '--name', 'api'], { cwd: broken });
    initial = await sentinel();
    const jobs = cases.flatMap((c) =>
      ['start', 'restart', 'validate'].map((cmd) => async () => {
        const r = await home.run([cmd, c.file, ...(c.args ?? [])], { cwd: broken });
        runs.set(c, [...(runs.get(c) ?? []), { cmd, r }]);
      }),
    );
    const worker = async () => {
      for (let job = jobs.shift(); job; job = jobs.shift()) await job();
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
  });

  for (const c of cases) {
    it(`refuses ${c.file}${c.args ? ` ${c.args.join(' ')}` : ''}`, () => {
      const got = runs.get(c) ?? [];
      assert.equal(got.length, 3);
      for (const { cmd, r } of got) {
        assert.equal(r.code, 1, `${cmd}: exit code\n${r.stderr}`);
        const lines = r.stderr.trimEnd().split('\n');
        assert.equal(lines.length, c.lines.length, `${cmd}: ${r.stderr}`);
        c.lines.forEach((want, i) => {
          if (typeof want === 'string') assert.equal(lines[i], want, cmd);
          else assert.match(lines[i] ?? '', want, cmd);
        });
        assert.equal(r.stdout, '', `${cmd}: nothing on stdout`);
      }
    });
  }

  it('started nothing and restarted nothing for any broken file', async () => {
    assert.deepEqual(await sentinel(), initial);
  });

  it('an unknown option is only a warning: the app starts', async () => {
    const r = await home.ok(['start', 'unknown-option.config.js'], { cwd: broken });
    assert.equal(
      r.stderr,
      '[steward] warning: unknown-option.config.js: apps[0] (typo): unknown option "autorestrat" ignored (did you mean "autorestart"?)\n',
    );
    const e = one(await home.jlist(), 'typo');
    assert.equal(e.pm2_env.status, 'online');
    assert.equal(e.pm2_env.autorestart, true, 'the misspelt key is ignored, not applied');
    assert.ok('pid' in (await reportOf(home, e)));
    const v = await home.ok(['validate', 'unknown-option.config.js'], { cwd: broken });
    assert.match(v.stderr, /unknown option "autorestrat" ignored/);
    assert.match(v.stdout, /^unknown-option\.config\.js: ok, 1 app: typo /);
  });

  it('a file that does not exist, or no file at all, is an error', async () => {
    const r = await home.run(['start', 'nope.config.js'], { cwd: broken });
    assert.equal(r.code, 1);
    assert.equal(r.stderr, `[steward] error: nope.config.js: file not found (looked in ${broken})\n`);
    const v = await home.run(['validate', 'missing.yaml'], { cwd: broken });
    assert.equal(v.code, 1);
    assert.equal(
      v.stderr,
      `[steward] error: missing.yaml: file not found (check the path (looked in ${broken}))\n`,
    );
    const none = await home.run(['start'], { cwd: corpus.apps });
    assert.equal(none.code, 2);
    assert.match(none.stderr, /start needs a script, a command, an app name or an ecosystem file/);
  });
});
