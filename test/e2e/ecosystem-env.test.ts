import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, afterEach, describe, it } from 'node:test';
import { alive, Home, tmpDir, type JlistEntry } from '../helpers.js';
import { clearHome, copyCorpus, named, one, parseEnvOutput, reportOf } from './ecosystem-support.js';

/**
 * Ecosystem files over time: environments on restart (file, --update-env, --env), the commands
 * that take a file (stop, delete, startOrRestart, startOrReload, --only), `env`, and `init`.
 */

describe('ecosystem files: environments and the commands that take a file', () => {
  const home = new Home();
  const corpus = copyCorpus();
  const { good } = corpus;
  after(async () => {
    await home.cleanup();
    corpus.remove();
  });
  afterEach(() => clearHome(home));

  const run = (args: string[], env: NodeJS.ProcessEnv = {}) => home.run(args, { cwd: good, env });
  const ok = (args: string[], env: NodeJS.ProcessEnv = {}) => home.ok(args, { cwd: good, env });
  const entry = async (name: string) => one(await home.jlist(), name);
  /** name → [pid, status, restart_time] of each process. */
  const snapshot = async () =>
    (await home.jlist()).map((e): [string, number, string, number] => [
      e.name,
      e.pid,
      e.pm2_env.status,
      e.pm2_env.restart_time,
    ]);
  const writeConfig = (env: Record<string, string>, envProduction?: Record<string, string>) =>
    writeFileSync(
      join(good, 'edit.config.js'),
      `module.exports = ${JSON.stringify({
        apps: [
          {
            name: 'edit',
            script: '../apps/report.js',
            env,
            ...(envProduction ? { env_production: envProduction } : {}),
          },
        ],
      })};\n`,
    );

  it('restart <file> applies the edited env, and a variable removed from the file is removed (PM2 #3486)', async () => {
    writeConfig({ KEPT: 'same', CHANGED: 'before', REMOVED: 'soon gone' });
    await ok(['start', 'edit.config.js']);
    const first = await entry('edit');
    const r1 = await reportOf(home, first);
    assert.equal(r1.env.REMOVED, 'soon gone');
    assert.equal(r1.env.CHANGED, 'before');

    writeConfig({ KEPT: 'same', CHANGED: 'after', ADDED: 'new' }, { CHANGED: 'prod' });
    await ok(['restart', 'edit.config.js']);
    const second = await entry('edit');
    assert.notEqual(second.pid, first.pid);
    assert.equal(alive(first.pid), false);
    assert.equal(second.pm2_env.restart_time, 1);
    const r2 = await reportOf(home, second);
    assert.equal(r2.env.KEPT, 'same');
    assert.equal(r2.env.CHANGED, 'after');
    assert.equal(r2.env.ADDED, 'new');
    assert.equal(r2.env.REMOVED, undefined, 'removed from the file, removed from the process');
    assert.equal(second.pm2_env.env.REMOVED, undefined);
    assert.equal(parseEnvOutput((await ok(['env', 'edit'])).stdout).REMOVED, undefined);

    await ok(['restart', 'edit.config.js', '--env', 'production']);
    const third = await entry('edit');
    assert.equal((await reportOf(home, third)).env.CHANGED, 'prod');
    await ok(['restart', 'edit.config.js']);
    const fourth = await entry('edit');
    assert.equal((await reportOf(home, fourth)).env.CHANGED, 'after', 'without --env, env alone again');
  });

  it('restart <name> keeps the frozen env; --update-env takes the new shell env and drops removed variables', async () => {
    writeConfig({ FROM_FILE: 'file' });
    await ok(['start', 'edit.config.js'], { SHELL_KEPT: 'first', SHELL_GONE: 'here' });
    const first = await entry('edit');
    assert.equal((await reportOf(home, first)).env.SHELL_GONE, 'here');

    const plain = await ok(['restart', 'edit'], { SHELL_KEPT: 'second', SHELL_NEW: 'n' });
    assert.match(plain.stdout, /Use --update-env to update environment variables/);
    const frozen = await reportOf(home, await entry('edit'));
    assert.equal(frozen.env.SHELL_KEPT, 'first', 'frozen at start, as in PM2');
    assert.equal(frozen.env.SHELL_GONE, 'here');
    assert.equal(frozen.env.SHELL_NEW, undefined);

    await ok(['restart', 'edit', '--update-env'], { SHELL_KEPT: 'second', SHELL_NEW: 'n' });
    const updated = await entry('edit');
    const r = await reportOf(home, updated);
    assert.equal(r.env.SHELL_KEPT, 'second');
    assert.equal(r.env.SHELL_NEW, 'n');
    assert.equal(r.env.SHELL_GONE, undefined, 'removed from the shell, removed from the process');
    assert.equal(r.env.FROM_FILE, 'file', "the file's env stays");
    assert.equal(updated.pm2_env.env.SHELL_GONE, undefined);
  });

  it('--env with an app name instead of a file is an error, and nothing is restarted', async () => {
    writeConfig({ A: '1' });
    await ok(['start', 'edit.config.js']);
    const before = await snapshot();
    const r = await run(['restart', 'edit', '--env', 'production']);
    assert.equal(r.code, 2);
    assert.equal(
      r.stderr,
      '[steward] error: --env cannot be used when restarting by name: the environment comes from a file ' +
        '(give the ecosystem file: `steward restart ecosystem.config.js --env production`, or use --update-env)\n',
    );
    const rl = await run(['reload', 'edit', '--env', 'production']);
    assert.equal(rl.code, 2);
    assert.match(rl.stderr, /--env cannot be used when reloading by name/);
    // On an app that runs, start is a restart: the same refusal.
    const s = await run(['start', 'edit', '--env', 'production']);
    assert.equal(s.code, 2);
    assert.match(s.stderr, /--env selects env_<name> of an ecosystem file, and no file was given/);
    assert.deepEqual(await snapshot(), before);
  });

  it('`env` prints what the process really has, and what a stopped app would get', async () => {
    writeConfig({ FROM_FILE: 'file', NUMBER: '42' });
    await ok(['start', 'edit.config.js'], { FROM_SHELL: 'shell' });
    const e = await entry('edit');
    const r = await reportOf(home, e);
    const shown = parseEnvOutput((await ok(['env', 'edit'])).stdout);
    const real = Object.fromEntries(Object.entries(r.env).filter(([, v]) => !v.includes('\n')));
    for (const k of Object.keys(shown)) if (r.env[k]?.includes('\n')) delete shown[k];
    // The environment at exec: Node removes its IPC variables from process.env once started.
    assert.match(shown.NODE_CHANNEL_FD ?? '', /^\d+$/);
    delete shown.NODE_CHANNEL_FD;
    delete shown.NODE_CHANNEL_SERIALIZATION_MODE;
    assert.deepEqual(shown, real);
    assert.equal(shown.FROM_SHELL, 'shell');
    assert.equal(shown.pm_id, String(e.pm_id));

    await ok(['stop', 'edit']);
    const would = parseEnvOutput((await ok(['env', 'edit'])).stdout);
    assert.equal(would.FROM_FILE, 'file');
    assert.equal(would.FROM_SHELL, 'shell');
    assert.equal(would.NODE_APP_INSTANCE, '0');
  });

  it("stop <file> and delete <file> act on the file's apps only", async () => {
    await ok(['start', 'ecosystem.config.js']);
    await ok(['start', '../apps/report.js', '--name', 'bystander', '-f']);
    const by = await entry('bystander');

    await ok(['stop', 'ecosystem.config.js']);
    const list = await home.jlist();
    assert.equal(one(list, 'api').pm2_env.status, 'stopped');
    assert.equal(one(list, 'worker').pm2_env.status, 'stopped');
    assert.equal(one(list, 'bystander').pid, by.pid);
    assert.equal(one(list, 'bystander').pm2_env.status, 'online');

    await ok(['delete', 'ecosystem.config.js']);
    assert.deepEqual(
      (await home.jlist()).map((e) => [e.name, e.pid]),
      [['bystander', by.pid]],
    );
    const again = await ok(['stop', 'ecosystem.config.js']);
    assert.match(again.stdout, /api is not managed; nothing to stop/);
    assert.match(again.stdout, /worker is not managed; nothing to stop/);
  });

  it('startOrRestart and startOrReload start the missing apps and restart the others', async () => {
    await ok(['start', 'ecosystem.config.js', '--only', 'api']);
    const api0 = await entry('api');
    assert.deepEqual(
      (await home.jlist()).map((e) => e.name),
      ['api'],
    );

    await ok(['startOrRestart', 'ecosystem.config.js']);
    let list = await home.jlist();
    const api1 = one(list, 'api');
    const worker1 = one(list, 'worker');
    assert.notEqual(api1.pid, api0.pid);
    assert.equal(api1.pm2_env.restart_time, 1);
    assert.equal(worker1.pm2_env.status, 'online');
    assert.equal(worker1.pm2_env.restart_time, 0);

    const r = await ok(['startOrReload', 'ecosystem.config.js', '--env', 'production']);
    assert.match(r.stdout, /Applying reload to api, worker from ecosystem\.config\.js/);
    list = await home.jlist();
    const api2 = one(list, 'api');
    const worker2 = one(list, 'worker');
    assert.notEqual(api2.pid, api1.pid);
    assert.notEqual(worker2.pid, worker1.pid);
    assert.equal(api2.pm2_env.restart_time, 2);
    assert.equal(worker2.pm2_env.restart_time, 1);
    assert.equal((await reportOf(home, api2)).env.NODE_ENV, 'production');
    assert.equal((await reportOf(home, worker2)).env.NODE_ENV, 'production');
  });

  it('--only a,b limits start, restart, stop and delete to those apps', async () => {
    await ok(['start', 'ecosystem.yml', '--only', 'yaml-jobs yaml-nightly']);
    const pidOf = (list: JlistEntry[], name: string) => named(list, name).map((e) => e.pid);
    let list = await home.jlist();
    assert.deepEqual(
      list.map((e) => e.name),
      ['yaml-jobs', 'yaml-nightly'],
    );
    const jobs0 = pidOf(list, 'yaml-jobs');
    const nightly0 = pidOf(list, 'yaml-nightly');

    await ok(['restart', 'ecosystem.yml', '--only', 'yaml-web,yaml-jobs']);
    list = await home.jlist();
    assert.equal(named(list, 'yaml-web').length, 2, 'missing app started');
    assert.notDeepEqual(pidOf(list, 'yaml-jobs'), jobs0, 'restarted');
    assert.deepEqual(pidOf(list, 'yaml-nightly'), nightly0, 'not listed: untouched');
    assert.equal(one(list, 'yaml-nightly').pm2_env.restart_time, 0);

    await ok(['stop', 'ecosystem.yml', '--only', 'yaml-web,yaml-nightly']);
    list = await home.jlist();
    assert.deepEqual(
      list.map((e) => [e.name, e.pm2_env.status]),
      [
        ['yaml-jobs', 'online'],
        ['yaml-nightly', 'stopped'],
        ['yaml-web', 'stopped'],
        ['yaml-web', 'stopped'],
      ],
    );

    await ok(['delete', 'ecosystem.yml', '--only', 'yaml-web']);
    assert.deepEqual(
      (await home.jlist()).map((e) => e.name),
      ['yaml-jobs', 'yaml-nightly'],
    );
  });
});

describe('steward init', () => {
  const home = new Home();
  const dirs: string[] = [];
  after(async () => {
    await home.cleanup();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const dir = () => {
    const d = tmpDir('stwi-');
    dirs.push(d);
    return d;
  };

  it('writes ecosystem.config.cjs inside a "type": "module" package, and validate and start accept it', async () => {
    const d = dir();
    writeFileSync(join(d, 'package.json'), JSON.stringify({ name: 'esm-app', type: 'module' }));
    writeFileSync(join(d, 'app.js'), 'setInterval(() => {}, 1 << 30);\n');
    const r = await home.ok(['init'], { cwd: d });
    assert.match(r.stdout, /wrote .*ecosystem\.config\.cjs/);
    assert.equal(existsSync(join(d, 'ecosystem.config.js')), false);
    const v = await home.ok(['validate'], { cwd: d });
    assert.equal(v.stderr, '');
    assert.equal(v.stdout, `ecosystem.config.cjs: ok, 1 app: app (${join(d, 'app.js')}, 1×)\n`);
    await home.ok(['validate', 'ecosystem.config.cjs', '--env', 'production'], { cwd: d });
    await home.ok(['start', '--env', 'production'], { cwd: d });
    const e = one(await home.jlist(), 'app');
    assert.equal(e.pm2_env.status, 'online');
    assert.equal(e.pm2_env.env.NODE_ENV, 'production');
  });

  it('writes ecosystem.config.js elsewhere, and refuses to overwrite it', async () => {
    const d = dir();
    writeFileSync(join(d, 'app.js'), 'setInterval(() => {}, 1 << 30);\n');
    await home.ok(['init'], { cwd: d });
    assert.ok(existsSync(join(d, 'ecosystem.config.js')));
    const v = await home.ok(['validate', 'ecosystem.config.js'], { cwd: d });
    assert.match(v.stdout, /^ecosystem\.config\.js: ok, 1 app: app \(/);
    const again = await home.run(['init'], { cwd: d });
    assert.equal(again.code, 2);
    assert.equal(
      again.stderr,
      '[steward] error: ecosystem.config.js already exists here (edit it, or remove it first)\n',
    );
  });
});
