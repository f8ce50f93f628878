import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { APPS, Home, readJson, readText, tmpDir, waitFor } from '../helpers.js';

const hasPython = (() => {
  try {
    execFileSync('python3', ['--version']);
    return true;
  } catch {
    return false;
  }
})();

describe('fork mode: how apps are run', () => {
  const home = new Home();
  const dir = tmpDir();
  after(() => home.cleanup());

  it('runs a Node app exactly as plain node would, with Steward variables added', async () => {
    const out = join(dir, 'node.json');
    const cwd = tmpDir();
    await home.ok(
      ['start', join(APPS, 'forever.js'), '--name', 'web', '--cwd', cwd, '--', 'a', '--flag', 'b c'],
      {
        env: { OUT_FILE: out, MY_VAR: 'from-shell' },
      },
    );
    const rep = await waitFor(() => readJson(out), 'app report');
    const plainArgv = [process.execPath, join(APPS, 'forever.js'), 'a', '--flag', 'b c'];
    assert.deepEqual(rep.argv, plainArgv);
    assert.equal(rep.isMain, true);
    assert.equal(rep.hasSend, true);
    assert.equal(rep.cwd, cwd);
    const env = rep.env as Record<string, string>;
    assert.equal(env.MY_VAR, 'from-shell');
    assert.equal(env.NODE_APP_INSTANCE, '0');
    assert.equal(env.pm_id, '0');
    assert.equal(env.name, 'web');
    assert.equal(env.STEWARD_HOME, home.dir);
    const [e] = await home.jlist();
    assert.equal(e?.pm2_env.exec_interpreter, 'node');
    assert.equal(e?.pm2_env.pm_cwd, cwd);
    assert.equal(e?.pid, rep.pid);
  });

  it('passes --node-args / --interpreter-args to node', async () => {
    const out = join(dir, 'nodeargs.json');
    await home.ok(
      [
        'start',
        join(APPS, 'forever.js'),
        '--name',
        'na',
        '--node-args',
        '--max-old-space-size=64 --no-warnings',
      ],
      {
        env: { OUT_FILE: out },
      },
    );
    await waitFor(() => readText(out), 'report');
    const [e] = (await home.jlist()).filter((x) => x.name === 'na');
    const cmdline = readFileSync(`/proc/${e?.pid}/cmdline`, 'latin1').split('\0');
    // node, then Steward's agent (--require …/preload.cjs), then the user's flags, then the script.
    assert.equal(cmdline[1], '--require');
    assert.match(cmdline[2] ?? '', /agent\/preload\.cjs$/);
    assert.deepEqual(cmdline.slice(3, 5), ['--max-old-space-size=64', '--no-warnings']);
  });

  it(
    'runs Python with python3 and unbuffered output',
    { skip: !hasPython && 'python3 not installed' },
    async () => {
      const out = join(dir, 'py.json');
      await home.ok(['start', join(APPS, 'report.py'), '--', 'x'], { env: { OUT_FILE: out } });
      const rep = await waitFor(() => readJson(out), 'py report');
      assert.deepEqual(rep.argv, [join(APPS, 'report.py'), 'x']);
      assert.equal(rep.unbuffered, '1');
      const e = (await home.jlist()).find((x) => x.name === 'report');
      assert.equal(e?.pm2_env.exec_interpreter, 'python3');
      await waitFor(
        () => readText(join(home.dir, 'logs/report-out.log')).includes('python ready'),
        'python log line',
      );
    },
  );

  it('runs .sh with bash', async () => {
    const out = join(dir, 'sh.json');
    await home.ok(['start', join(APPS, 'report.sh'), '--name', 'shell', '--', 'one', 'two'], {
      env: { OUT_FILE: out },
    });
    const rep = await waitFor(() => readJson(out), 'sh report');
    assert.deepEqual(rep, { args: 'one two', name: 'shell' });
  });

  it('runs a binary or PATH command with --interpreter none, and a command line through bash', async () => {
    await home.ok(['start', 'sleep', '--name', 'sleeper', '--', '1000']);
    const e = (await home.jlist()).find((x) => x.name === 'sleeper');
    assert.equal(e?.pm2_env.exec_interpreter, 'none');
    const argv = readFileSync(`/proc/${e?.pid}/cmdline`, 'latin1').split('\0');
    assert.deepEqual(argv.slice(0, 2), [e?.pm2_env.pm_exec_path, '1000']);
    const out = join(dir, 'cmd.txt');
    await home.ok(['start', `echo started > ${out}; exec sleep 1000`, '--name', 'cmdline']);
    await waitFor(() => readText(out).includes('started'), 'command line ran');
  });

  it('runs a copied binary with an explicit --interpreter none', async () => {
    const bin = join(dir, 'mysleep');
    copyFileSync('/bin/sleep', bin);
    execFileSync('chmod', ['+x', bin]);
    await home.ok(['start', bin, '--interpreter', 'none', '--', '1000']);
    const e = (await home.jlist()).find((x) => x.name === 'mysleep');
    assert.equal(e?.pm2_env.status, 'online');
  });

  it('runs TypeScript with the loader Steward ships (or native type stripping)', async () => {
    const out = join(dir, 'ts.json');
    await home.ok(['start', join(APPS, 'typed.ts'), '--', 'arg'], { env: { OUT_FILE: out } });
    const rep = await waitFor(() => readJson(out), 'ts report', 20_000);
    assert.deepEqual(rep, { who: 'typescript', argv: ['arg'] });
  });

  it('refuses a missing script with a one-line error and starts nothing', async () => {
    const before = (await home.jlist()).length;
    const r = await home.run(['start', 'does-not-exist.js']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /script not found: does-not-exist\.js/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal((await home.jlist()).length, before);
  });

  it('reports a script that exits at once, with its error output, and a non-zero exit', async () => {
    const app = join(dir, 'boom.js');
    writeFileSync(app, "console.error('missing config file /etc/boom.conf'); process.exit(3)");
    const r = await home.run(['start', app]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /boom exited within \d+ms of starting/);
    assert.match(r.stderr, /missing config file/);
    await home.ok(['delete', 'boom']);
  });
});
