import assert from 'node:assert/strict';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { after, describe, it } from 'node:test';
import { APPS, Home, tmpDir, waitFor } from '../helpers.js';
import { PM2_GLOBAL_FLAGS } from '../pm2-flags.js';

/** A PM2 user's scripts, unchanged: flags, jlist/prettylist greps, the commands scripts call. */
describe('PM2 scripts run unchanged', () => {
  const home = new Home();
  const dir = tmpDir();
  after(() => home.cleanup());
  const forever = join(APPS, 'forever.js');
  const count = (text: string, s: string) => text.split(s).length - 1;

  it('start takes every PM2 global flag, in the --flag=value form', async () => {
    const me = userInfo();
    const sample: Record<string, string> = {
      '<user>': me.username,
      '<uid>': String(me.uid),
      '<gid>': String(me.gid),
      '<dir>': dir,
    };
    const args = PM2_GLOBAL_FLAGS.flatMap(([flag, value]) =>
      value === undefined
        ? [flag]
        : flag.startsWith('--')
          ? [`${flag}=${sample[value] ?? value}`]
          : [flag, sample[value] ?? value],
    );
    const r = await home.run(['start', forever, ...args], { cwd: dir });
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /error/);
    const [e, second, ...rest] = await home.jlist();
    assert.equal(rest.length, 0);
    assert.ok(e && second);
    const p = e.pm2_env;
    assert.equal(e.name, 'x');
    assert.equal(p.namespace, 'ns');
    // -x: fork mode, even for a Node app with -i.
    assert.equal(p.exec_mode, 'fork_mode');
    assert.equal(p.instances, 2);
    assert.equal(p.status, 'stopped');
    assert.equal(p.autostart, false);
    assert.equal(p.autorestart, false);
    assert.equal(p.treekill, false);
    assert.equal(p.watch, true);
    assert.deepEqual(p.ignore_watch, ['node_modules', 'tmp']);
    assert.deepEqual(p.stop_exit_codes, [0]);
    assert.deepEqual(p.node_args, ['--no-warnings', '--no-warnings']);
    assert.equal(p.max_memory_restart, 300 * 1024 * 1024);
    assert.equal(p.cron_restart, '0 3 * * *');
    assert.equal(p.log_type, 'json');
    assert.equal(p.log_date_format, 'YYYY-MM-DD HH:mm');
    // --merge-logs: one file for both instances.
    assert.equal(p.pm_out_log_path, join(dir, 'out.log'));
    assert.equal(p.vizion, false);
    assert.equal(p.automation, false);
    assert.equal(p.pmx, false);
    await home.ok(['delete', 'all']);
  });

  it('stop, restart, reload, delete and logs take them too; --verbose says which have no effect', async () => {
    await home.ok(['start', forever, '--name', 'g']);
    const r = await home.run(['restart', 'g', '--max-memory-restart=1G', '--parallel=2', '--verbose']);
    assert.equal(r.code, 0, r.stderr);
    // As in PM2, an app option given to restart is merged into the app's config.
    assert.doesNotMatch(r.stderr, /note: --max-memory-restart/);
    assert.equal((await home.jlist())[0]?.pm2_env.max_memory_restart, 1024 ** 3);
    assert.match(r.stderr, /note: --parallel is accepted/);
    await home.ok(['reload', 'g', '-i', '2', '--attach', '-a']);
    await home.ok(['gracefulReload', 'g']);
    await home.ok(['logs', 'g', '--nostream', '--lines=1', '--format', '--highlight=x', '-n', 'y']);
    await home.ok(['stop', 'g', '--no-autorestart', '--kill-timeout=100']);
    await home.ok(['delete', 'g', '--force']);
  });

  it('jlist and prettylist: each status word, counter and script path as often as PM2 prints it', async () => {
    await home.ok(['start', forever, '--name', 'api', '--watch', '--ignore-watch', 'x']);
    await home.ok(['start', join(APPS, 'graceful.js'), '--name', 'web', '--no-autostart']);
    await waitFor(async () => (await home.jlist()).find((e) => e.pm2_env.status === 'online'), 'online');
    const jlist = (await home.ok(['jlist'])).stdout;
    // `pm2 jlist | grep -o '"online"' | wc -l` and friends.
    assert.equal(count(jlist, '"online"'), 1);
    assert.equal(count(jlist, '"stopped"'), 1);
    assert.equal(count(jlist, `"${forever}"`), 1);
    // No Steward key anywhere in an entry (the word itself may be in env values, e.g. npm_package_name).
    assert.ok((JSON.parse(jlist) as Array<Record<string, unknown>>).every((e) => !('steward' in e)));
    assert.equal(count(jlist, '"history"'), 0);
    const pretty = (await home.ok(['prettylist'])).stdout;
    const lines = (re: RegExp) => pretty.split('\n').filter((l) => re.test(l)).length;
    assert.equal(lines(/status: 'online'/), 1);
    assert.equal(lines(/'online'/), 1);
    assert.equal(lines(/restart_time: 0/), 2);
    assert.equal(lines(/watch: true/), 1);
    assert.equal(lines(new RegExp(forever.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'))), 1);
    // Steward's details only when asked for.
    const extra = JSON.parse((await home.ok(['jlist', '--steward'])).stdout) as Array<{ steward?: unknown }>;
    assert.ok(extra.every((e) => typeof e.steward === 'object'));
    await home.ok(['delete', 'all']);
  });

  it('the commands PM2 scripts call answer in one line and exit 0', async () => {
    for (const cmd of [
      ['link', 'secret', 'public'],
      ['unlink'],
      ['plus'],
      ['install', 'pm2-logrotate'],
      ['set', 'pm2-logrotate:max_size', '10M'],
      ['set', 'pm2-logrotate:workerInterval', '30'],
      ['completion', 'install'],
    ]) {
      const r = await home.run(cmd);
      assert.equal(r.code, 0, `${cmd.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr, '');
    }
  });

  it('stop all / delete all with no apps: "No process found", exit 1 (as PM2)', async () => {
    for (const cmd of ['stop', 'delete', 'restart']) {
      const r = await home.run([cmd, 'all']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /No process found/);
    }
  });

  it("takes PM2's loose ecosystem values and still refuses what PM2 fails on", async () => {
    const app = {
      name: 'loose',
      script: forever,
      exec_mode: 'fork',
      instances: '2',
      max_restarts: '3',
      autorestart: 'false',
      env: { CONFIG: { a: 1 }, LIST: [1, 2], N: 5 },
    };
    writeFileSync(join(dir, 'loose.json'), JSON.stringify({ apps: [app] }));
    await home.ok(['start', 'loose.json'], { cwd: dir });
    const list = await home.jlist();
    assert.equal(list.length, 2);
    const p = list[0]?.pm2_env;
    assert.equal(p?.instances, 2);
    assert.equal(p?.max_restarts, 3);
    assert.equal(p?.autorestart, false);
    assert.equal(p?.env.CONFIG, '{"a":1}');
    assert.equal(p?.env.LIST, '[1,2]');
    assert.equal(p?.env.N, '5');
    writeFileSync(
      join(dir, 'bad.json'),
      JSON.stringify({ apps: [{ ...app, name: 'bad', instances: 'two' }] }),
    );
    const bad = await home.run(['start', 'bad.json'], { cwd: dir });
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /instances: expected a number or "max", got "two"/);
    await home.ok(['delete', 'all']);
  });
});
