import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { APPS, Home, readText, tmpDir, waitFor } from '../helpers.js';

const CRASH = join(APPS, 'crash.js');
const starts = (file: string) => readText(file).trim().split('\n').filter(Boolean).map(Number);

describe('restart policy, end to end', () => {
  const home = new Home();
  const dir = tmpDir();
  after(() => home.cleanup());
  const entry = async (name: string) => (await home.jlist()).find((e) => e.name === name);

  it('restarts a crashing app and marks it errored after max_restarts unstable restarts', async () => {
    const count = join(dir, 'errored.count');
    await home.run(['start', CRASH, '--name', 'flappy', '--max-restarts', '3'], {
      env: { COUNT_FILE: count },
    });
    await waitFor(async () => (await entry('flappy'))?.pm2_env.status === 'errored', 'errored status');
    // First start + 2 restarts: the third unstable exit reaches max_restarts.
    assert.equal(starts(count).length, 3);
    const e = await entry('flappy');
    assert.equal(e?.pm2_env.restart_time, 2);
    const hist = (e?.steward as { history: Array<{ event: string; reason?: string }> }).history;
    assert.match(hist[hist.length - 1]?.reason ?? '', /unstable restarts/);
    const show = await home.ok(['show', 'flappy']);
    assert.match(show.stdout, /errored/);
  });

  it('does not restart on a stop exit code or with --no-autorestart', async () => {
    const c1 = join(dir, 'code.count');
    await home.run(['start', CRASH, '--name', 'clean-exit', '--stop-exit-codes', '0', '3'], {
      env: { COUNT_FILE: c1, EXIT_CODE: '3' },
    });
    await waitFor(
      async () => (await entry('clean-exit'))?.pm2_env.status === 'stopped',
      'stopped after exit code 3',
    );
    const c2 = join(dir, 'noauto.count');
    await home.run(['start', CRASH, '--name', 'oneshot', '--no-autorestart'], { env: { COUNT_FILE: c2 } });
    await waitFor(
      async () => (await entry('oneshot'))?.pm2_env.status === 'stopped',
      'stopped with autorestart off',
    );
    assert.equal(starts(c1).length, 1);
    assert.equal(starts(c2).length, 1);
    assert.equal((await entry('oneshot'))?.pm2_env.exit_code, 1);
  });

  it('waits restart_delay between restarts and shows the next retry time', async () => {
    const count = join(dir, 'delay.count');
    await home.run(['start', CRASH, '--name', 'slow-retry', '--restart-delay', '1500ms'], {
      env: { COUNT_FILE: count },
    });
    const waiting = await waitFor(async () => {
      const e = await entry('slow-retry');
      return e?.pm2_env.status === 'waiting restart' ? e : undefined;
    }, 'waiting restart');
    const next = (waiting.steward as { next_restart_at: number | null }).next_restart_at;
    assert.ok(next !== null && next > Date.now() - 1000);
    const ls = await home.ok(['ls']);
    assert.match(ls.stdout, /waiting \(\d+s\)/);
    await waitFor(() => starts(count).length >= 3, 'three starts', 10_000);
    const t = starts(count);
    for (let i = 1; i < t.length; i += 1)
      assert.ok((t[i] ?? 0) - (t[i - 1] ?? 0) >= 1450, `gap ${i} was ${(t[i] ?? 0) - (t[i - 1] ?? 0)}ms`);
    await home.ok(['stop', 'slow-retry']);
    assert.equal((await entry('slow-retry'))?.pm2_env.status, 'stopped');
  });

  it('backs off exponentially', async () => {
    const count = join(dir, 'backoff.count');
    await home.run(['start', CRASH, '--name', 'backoff', '--exp-backoff-restart-delay', '200'], {
      env: { COUNT_FILE: count },
    });
    await waitFor(() => starts(count).length >= 4, 'four starts', 15_000);
    await home.ok(['stop', 'backoff']);
    const t = starts(count);
    const gaps = t.slice(1).map((v, i) => v - (t[i] ?? 0));
    // Delays 200, 300, 450 (plus process start time).
    assert.ok(
      (gaps[0] ?? 0) >= 190 && (gaps[1] ?? 0) >= 290 && (gaps[2] ?? 0) >= 440,
      `gaps ${gaps.join(',')}`,
    );
    assert.ok((gaps[2] ?? 0) > (gaps[0] ?? 0));
  });

  it('stops a crash loop that PM2 would let run forever (restart limit in a window)', async () => {
    const count = join(dir, 'loop.count');
    // Each run lives longer than min_uptime, so PM2's unstable-restart rule never triggers.
    await home.run(
      [
        'start',
        CRASH,
        '--name',
        'slow-crash',
        '--min-uptime',
        '50ms',
        '--restart-limit',
        '4',
        '--restart-limit-window',
        '1m',
      ],
      {
        env: { COUNT_FILE: count, DELAY_MS: '120' },
      },
    );
    await waitFor(
      async () => (await entry('slow-crash'))?.pm2_env.status === 'errored',
      'errored by restart limit',
      15_000,
    );
    assert.equal(starts(count).length, 5);
    const hist = ((await entry('slow-crash'))?.steward as { history: Array<{ reason?: string }> }).history;
    assert.match(hist[hist.length - 1]?.reason ?? '', /4 restarts within 60s/);
  });

  it('starting an errored app again gives it a fresh budget', async () => {
    const r = await home.ok(['restart', 'flappy']);
    assert.equal(r.code, 0);
    const e = await entry('flappy');
    assert.ok(
      e?.pm2_env.status === 'online' ||
        e?.pm2_env.status === 'waiting restart' ||
        e?.pm2_env.status === 'errored',
    );
    await home.ok(['delete', 'flappy']);
  });
});
