import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import {
  existsSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { after, describe, it } from 'node:test';
import { APPS, BIN, Home, readText, tmpDir, waitFor } from '../helpers.js';

const LOGGER = join(APPS, 'logger.js');
const FOREVER = join(APPS, 'forever.js');

describe('log files', () => {
  const home = new Home();
  const dir = tmpDir();
  after(() => home.cleanup());
  const logs = (f: string) => join(home.dir, 'logs', f);

  it('writes NAME-out.log and NAME-error.log, custom paths (dirs created), /dev/null disables', async () => {
    await home.ok(['start', LOGGER, '--name', 'plain'], { env: { COUNT: '3' } });
    await waitFor(() => readText(logs('plain-error.log')).includes('done'), 'done in error log');
    assert.match(readText(logs('plain-out.log')), /^line 00000001 x+\nline 00000002/);
    const out = join(dir, 'deep/er/out.log');
    const combined = join(dir, 'all.log');
    await home.ok(['start', LOGGER, '--name', 'custom', '-o', out, '-e', '/dev/null', '-l', combined], {
      env: { COUNT: '2' },
    });
    await waitFor(() => readText(combined).includes('done'), 'combined log');
    assert.equal(readText(out).split('\n').filter(Boolean).length, 2);
    assert.equal(existsSync(logs('custom-error.log')), false);
    const [e] = (await home.jlist()).filter((x) => x.name === 'custom');
    assert.equal(e?.pm2_env.pm_err_log_path, '/dev/null');
    assert.equal(e?.pm2_env.pm_log_path, combined);
  });

  it('gives the app kernel pipes for stdout and stderr (not socketpairs), from a private directory', async () => {
    await home.ok(['start', FOREVER, '--name', 'piped']);
    const [e] = (await home.jlist()).filter((x) => x.name === 'piped');
    const pid = e?.pid ?? 0;
    for (const fd of [1, 2]) {
      // A FIFO whose name is gone (libuv's socketpair would read `socket:[…]`).
      assert.match(readlinkSync(`/proc/${pid}/fd/${fd}`), /\/pipes\/\d+ \(deleted\)$/);
      assert.ok(statSync(`/proc/${pid}/fd/${fd}`).isFIFO());
    }
    // The FIFOs are unlinked once opened; the spare ones wait in a 0700 directory.
    assert.equal(statSync(join(home.dir, 'pipes')).mode & 0o777, 0o700);
    for (const f of readdirSync(join(home.dir, 'pipes')))
      assert.equal(statSync(join(home.dir, 'pipes', f)).mode & 0o777, 0o600);
    await home.ok(['delete', 'piped']);
  });

  it('--time prefixes each line once, and never splits a partial line', async () => {
    await home.ok(['start', LOGGER, '--name', 'timed', '--time'], { env: { COUNT: '2', PARTIAL: '1' } });
    await waitFor(() => readText(logs('timed-out.log')).includes('second half'), 'partial line completed');
    const lines = readText(logs('timed-out.log')).trim().split('\n');
    for (const l of lines) assert.match(l, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d: /, l);
    assert.ok(
      lines.some((l) => /: first half second half$/.test(l)),
      lines.join('\n'),
    );
  });

  it('--log-date-format and log_type json', async () => {
    await home.ok(['start', LOGGER, '--name', 'fmt', '--log-date-format', 'YYYY/MM/DD HH:mm'], {
      env: { COUNT: '1' },
    });
    await waitFor(() => readText(logs('fmt-out.log')).includes('line'), 'fmt line');
    assert.match(readText(logs('fmt-out.log')), /^\d{4}\/\d\d\/\d\d \d\d:\d\d: line 00000001/);
    await home.ok(['start', LOGGER, '--name', 'js', '--log-type', 'json'], { env: { COUNT: '2' } });
    await waitFor(() => readText(logs('js-error.log')).includes('done'), 'json done');
    const objs = readText(logs('js-out.log'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(objs.length, 2);
    assert.deepEqual(Object.keys(objs[0] ?? {}), ['message', 'timestamp', 'type', 'process_id', 'app_name']);
    assert.equal(objs[0]?.type, 'out');
    assert.equal(objs[0]?.app_name, 'js');
    assert.match(String(objs[1]?.message), /^line 00000002 x+$/);
  });

  it('rejects a date format with no date or time token, a negative --lines and an unknown target', async () => {
    const bad = await home.run(['start', LOGGER, '--name', 'badfmt', '--log-date-format', 'hello']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--log-date-format: "hello" has no date or time token/);
    const neg = await home.run(['logs', 'plain', '--lines', '-5', '--nostream']);
    assert.equal(neg.code, 2);
    assert.match(neg.stderr, /--lines: expected a whole number/);
    const unknown = await home.run(['logs', 'nope', '--nostream']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /not found: nope/);
  });

  it('keeps the app running when its log path is unusable, sending output to the daemon log', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    await home.ok(['start', FOREVER, '--name', 'badpath', '-o', join(file, 'out.log')]);
    const e = (await home.jlist()).find((x) => x.name === 'badpath');
    assert.equal(e?.pm2_env.status, 'online');
    await waitFor(
      () => /cannot write log file .*a-file\/out\.log/.test(readText(join(home.dir, 'daemon.log'))),
      'warning',
    );
    await waitFor(
      () => /forever \d+ started/.test(readText(join(home.dir, 'daemon.log'))),
      'output in daemon log',
    );
  });

  it('flush empties, reloadLogs recreates a deleted file', async () => {
    await home.ok(['flush', 'plain']);
    assert.equal(readText(logs('plain-out.log')), '');
    rmSync(logs('timed-out.log'));
    await home.ok(['reloadLogs']);
    assert.ok(existsSync(logs('timed-out.log')));
  });
});

describe('steward logs', () => {
  const home = new Home();
  after(() => home.cleanup());

  it('merges the last lines of several apps and streams in time order', async () => {
    const a = join(tmpDir(), 'a.js');
    writeFileSync(
      a,
      "let i=0;const t=setInterval(()=>{i++;(i%2?console.log:console.error)(`'+process.env.TAG+' '+i);if(i>=6)clearInterval(t)},15);setInterval(()=>{},1e9)".replace(
        "`'+process.env.TAG+' '+i",
        '`${process.env.TAG} ${i}`',
      ),
    );
    await home.ok(['start', a, '--name', 'one'], { env: { TAG: 'one' } });
    await waitFor(() => readText(join(home.dir, 'logs/one-error.log')).includes('one 6'), 'one done');
    const r = await home.ok(['logs', 'one', '--lines', '6', '--nostream', '--raw']);
    assert.deepEqual(r.stdout.trim().split('\n'), ['one 1', 'one 2', 'one 3', 'one 4', 'one 5', 'one 6']);
    const last2 = await home.ok(['logs', '--lines', '2', '--nostream']);
    assert.match(last2.stdout, /0\|one \| one 5\n0\|one \| one 6\n$/);
  });

  it('--lines 0 follows live output, and exits cleanly when its pipe closes', async () => {
    await home.ok(['start', FOREVER, '--name', 'live', '--no-autorestart']);
    const follower = spawn(process.execPath, [BIN, 'logs', 'live', '--lines', '0', '--raw'], {
      env: home.env,
    });
    let out = '';
    follower.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => follower.on('exit', (c) => resolve(c)));
    // Restarting produces a fresh "started" line on the live stream (retried until the follower
    // has subscribed).
    await waitFor(
      async () => {
        await home.ok(['restart', 'live']);
        return /forever \d+ started/.test(out);
      },
      'live line',
      15_000,
      300,
    );
    follower.stdout.destroy();
    await home.ok(['restart', 'live']);
    assert.equal(await exited, 0);
  });
});

describe('rotation', () => {
  const home = new Home();
  after(() => home.cleanup());

  for (const compress of [false, true]) {
    it(`rotates by size at full speed without losing or repeating a line${compress ? ' (gzip)' : ''}`, async () => {
      const name = compress ? 'rotz' : 'rot';
      const count = 20_000;
      const args = ['start', LOGGER, '--name', name, '--log-max-size', '200K', '--log-retain', '1000'];
      if (compress) args.push('--log-compress');
      await home.ok(args, { env: { COUNT: String(count) } });
      const logsDir = join(home.dir, 'logs');
      await waitFor(
        () => readText(join(logsDir, `${name}-error.log`)).includes('done'),
        'writer done',
        30_000,
      );
      const files = () =>
        readdirSync(logsDir).filter((f) => f.startsWith(`${name}-out`) && !f.endsWith('.idx'));
      // Compression runs after rotation: wait until no uncompressed rotated file is left.
      if (compress)
        await waitFor(() => files().every((f) => f === `${name}-out.log` || f.endsWith('.gz')), 'gzip done');
      let text = '';
      for (const f of files().sort()) {
        const data = readFileSync(join(logsDir, f));
        if (f !== `${name}-out.log`) text += (f.endsWith('.gz') ? gunzipSync(data) : data).toString();
      }
      text += readText(join(logsDir, `${name}-out.log`));
      const lines = text.split('\n').filter(Boolean);
      assert.ok(files().length > 5, `rotated into ${files().length} files`);
      assert.equal(lines.length, count);
      assert.equal(new Set(lines).size, count);
      assert.equal(lines[0]?.slice(0, 13), 'line 00000001');
      assert.equal(lines[count - 1]?.slice(0, 13), `line ${String(count).padStart(8, '0')}`);
    });
  }

  it('keeps only log_retain rotated files', async () => {
    await home.ok(['start', LOGGER, '--name', 'keep2', '--log-max-size', '100K', '--log-retain', '2'], {
      env: { COUNT: '5000' },
    });
    const logsDir = join(home.dir, 'logs');
    await waitFor(() => readText(join(logsDir, 'keep2-error.log')).includes('done'), 'writer done', 30_000);
    await waitFor(
      () => readdirSync(logsDir).filter((f) => /^keep2-out__.*\.log$/.test(f)).length === 2,
      'two rotated files kept',
    );
  });

  it('global settings, with pm2-logrotate keys', async () => {
    const r = await home.ok(['set', 'pm2-logrotate:max_size', '5M']);
    assert.match(r.stdout, /"log_max_size": 5242880/);
    assert.match((await home.ok(['get', 'log_max_size'])).stdout, /5242880/);
    const bad = await home.run(['set', 'log_retain', 'lots']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /log_retain: expected a whole number/);
    await home.ok(['unset', 'log_max_size']);
    assert.match((await home.ok(['get', 'log_max_size'])).stdout, /104857600/);
  });
});
