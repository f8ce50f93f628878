import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connect, StewardError, type StewardClient } from '../../src/api/index.js';
import { alive, APPS, Home, markedPids, readText, tmpDir, waitFor, type JlistEntry } from '../helpers.js';
import {
  assertTableMatchesReality,
  freePort,
  invariantMessage,
  markedAfter,
  problemsAfter,
  runLimited,
  tableSummary,
  unclearFailure,
  waitSettled,
  type TimedResult,
} from './overlap-support.js';

/**
 * Overlapping operations must not leave processes behind (the lifecycle issue): whatever the
 * order in which stop, delete, reload, restart, scale, start and kill land, once things settle
 * every pid the table lists runs and is the only process of its instance, and no process with
 * this home's mark runs that the table does not list. The random interleaving of every command
 * is in overlap-interleave.test.ts.
 */

const SLOW = join(APPS, 'slow-listen.js');
const FOREVER = join(APPS, 'forever.js');

/** A one-instance cluster app that listens 800 ms after it starts, and only while its gate is open. */
interface SlowApp {
  entry: JlistEntry;
  gate: string;
}

/** Starts the app (gate open) and resolves once it listens. */
async function startSlowCluster(home: Home): Promise<SlowApp> {
  const gate = join(tmpDir(), 'gate');
  writeFileSync(gate, '');
  await home.ok(['start', SLOW, '--name', 'app', '-i', '1', '--listen-timeout', '5s'], {
    env: { PORT: '0', LISTEN_GATE: gate },
  });
  const [entry] = await home.jlist();
  assert.ok(entry, 'app in the table');
  assert.equal(entry.pm2_env.exec_mode, 'cluster_mode');
  assert.equal(entry.pm2_env.status, 'online');
  const out = String(entry.pm2_env.pm_out_log_path);
  const listening = new RegExp(`^listening on \\d+ pid ${entry.pid}$`, 'm');
  await waitFor(() => listening.test(readText(out)), 'the app listening');
  return { entry, gate };
}

/**
 * `steward reload app` in the background; once the reload's new process runs next to the old one
 * (held back by the closed gate: it cannot be ready yet), `steward <verb> app`. The gate opens
 * once the old process is gone or the command returned, so the new process becomes ready only
 * after the stop or delete has taken effect: the order of the issue (reload, then stop 300 ms
 * later, while the new process is not ready), every time. (A daemon that makes the stop wait for
 * the reload sees the reload time out after listen_timeout instead.)
 */
async function reloadThen(
  home: Home,
  app: SlowApp,
  verb: 'stop' | 'delete',
): Promise<{ reload: TimedResult; other: TimedResult; fresh: number }> {
  rmSync(app.gate);
  const old = app.entry.pid;
  const reload = runLimited(home, ['reload', 'app'], 30_000);
  const fresh = await waitFor(
    () => markedPids(home.dir).find((p) => p !== old),
    "the reload's new process",
    10_000,
    10,
  );
  let returned = false;
  const pending = runLimited(home, [verb, 'app'], 30_000).then((r) => {
    returned = true;
    return r;
  });
  await waitFor(() => returned || !alive(old), `the old process gone or \`${verb}\` returned`, 30_000, 10);
  writeFileSync(app.gate, '');
  const other = await pending;
  return { reload: await reload, other, fresh };
}

function assertCleanFailure(r: TimedResult, what: string): void {
  const why = unclearFailure(r);
  assert.equal(why, undefined, `${what} exited ${r.code}: ${why}\n${r.stderr}`);
}

// Each test has its own home: they run side by side.
describe('overlapping operations leave no process behind', { concurrency: true }, () => {
  it('reload, then stop while the new process is not ready: stopped, and nothing runs (also after kill)', async () => {
    const home = new Home();
    try {
      const app = await startSlowCluster(home);
      const { reload, other: stop, fresh } = await reloadThen(home, app, 'stop');
      assert.equal(stop.code, 0, `stop exited ${stop.code}\n${stop.stderr}`);
      assertCleanFailure(reload, 'reload');
      const settled = await waitSettled(home, 15_000);
      assert.deepEqual(
        settled.map((e) => [e.name, e.pm2_env.status, e.pid]),
        [['app', 'stopped', 0]],
        tableSummary(settled),
      );
      const afterStop = await problemsAfter(home, { noneLeft: true });
      // The issue: `steward kill` left the reloaded process running too, re-parented to init.
      const kill = await runLimited(home, ['kill'], 30_000);
      assert.equal(kill.code, 0, `kill exited ${kill.code}\n${kill.stderr}`);
      // Checked without `jlist`: a new daemon would end the leftovers of the old one.
      const afterKill = await markedAfter(home, 5000);
      const msgs: string[] = [];
      if (afterStop.problems.length > 0)
        msgs.push(
          invariantMessage(`after stop (reload's new pid ${fresh})`, afterStop.problems, afterStop.list),
        );
      if (afterKill.length > 0)
        msgs.push(`after \`steward kill\`, still running:\n${afterKill.map((p) => `  - ${p}`).join('\n')}`);
      if (msgs.length > 0) assert.fail(msgs.join('\n'));
    } finally {
      await home.cleanup();
    }
  });

  it('reload, then delete while the new process is not ready: gone from the table, and nothing runs', async () => {
    const home = new Home();
    try {
      const app = await startSlowCluster(home);
      const { reload, other: del, fresh } = await reloadThen(home, app, 'delete');
      assert.equal(del.code, 0, `delete exited ${del.code}\n${del.stderr}`);
      assertCleanFailure(reload, 'reload');
      const settled = await waitSettled(home, 15_000);
      assert.deepEqual(settled, [], `app still in the table:\n${tableSummary(settled)}`);
      await assertTableMatchesReality(home, `after delete (reload's new pid ${fresh})`, { noneLeft: true });
    } finally {
      await home.cleanup();
    }
  });

  it('delete while launching (before the process is recorded): the new process does not survive', async () => {
    const home = new Home();
    let steward: StewardClient | undefined;
    try {
      await home.ok(['ping']);
      const client = await connect({ home: home.dir, autostart: false });
      steward = client;
      // `start` and `delete` go out back to back on one connection: the daemon takes the delete
      // while the start is still getting its process ready (binding the listen socket, or its
      // output pipes), before any pid is recorded.
      const flavours = [
        async (name: string) => ({
          script: SLOW,
          name,
          listen: [`127.0.0.1:${await freePort()}`],
          env: { LISTEN_DELAY_MS: '0' },
        }),
        (name: string) => Promise.resolve({ script: FOREVER, name }),
        (name: string) =>
          Promise.resolve({ script: SLOW, name, instances: 2, exec_mode: 'cluster', env: { PORT: '0' } }),
      ] as const;
      const outcomes: string[] = [];
      for (let round = 0; round < 2; round += 1) {
        for (const [k, flavour] of flavours.entries()) {
          const name = `app-${k}-${round}`;
          const app = await flavour(name);
          const started = client.start(app).then(
            () => 'started',
            (e: unknown) => e,
          );
          const deleted = client.delete(name).then(
            () => 'deleted',
            (e: unknown) => e,
          );
          const [s, d] = await Promise.all([started, deleted]);
          assert.equal(d, 'deleted', `delete ${name}: ${String(d)}`);
          if (s !== 'started') {
            assert.ok(s instanceof StewardError, `start ${name} failed with ${String(s)}`);
            assert.doesNotMatch(s.message, /internal error/i);
          }
          outcomes.push(`${name}: start ${s === 'started' ? 'ok' : (s as Error).message}, delete ok`);
        }
      }
      const settled = await waitSettled(home, 15_000);
      assert.deepEqual(settled, [], `deleted apps still in the table:\n${tableSummary(settled)}`);
      await assertTableMatchesReality(home, `after start+delete pairs (${outcomes.join('; ')})`, {
        noneLeft: true,
      });
    } finally {
      steward?.disconnect();
      await home.cleanup();
    }
  });
});
