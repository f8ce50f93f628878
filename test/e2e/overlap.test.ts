import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { connect, StewardError } from '../../src/api/index.js';
import { APPS, Home, markedPids, readText, waitFor, type JlistEntry } from '../helpers.js';
import {
  assertTableMatchesReality,
  freePort,
  invariantMessage,
  markedAfter,
  mulberry32,
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
 * this home's mark runs that the table does not list.
 */

const SLOW = join(APPS, 'slow-listen.js');
const FOREVER = join(APPS, 'forever.js');

/** Starts a one-instance cluster app that listens 800 ms after it starts; resolves once it listens. */
async function startSlowCluster(home: Home): Promise<JlistEntry> {
  await home.ok(['start', SLOW, '--name', 'app', '-i', '1', '--listen-timeout', '10s'], {
    env: { PORT: '0' },
  });
  const [e] = await home.jlist();
  assert.ok(e, 'app in the table');
  assert.equal(e.pm2_env.exec_mode, 'cluster_mode');
  assert.equal(e.pm2_env.status, 'online');
  const out = String(e.pm2_env.pm_out_log_path);
  await waitFor(() => readText(out).includes(`pid ${e.pid}`), 'the app listening');
  return e;
}

/**
 * Fires `steward reload app` and, once the reload's new process runs next to the old one (it will
 * be ready only 800 ms later), `steward <verb> app`. Returns both results.
 */
async function reloadThen(
  home: Home,
  old: JlistEntry,
  verb: 'stop' | 'delete',
): Promise<{ reload: TimedResult; other: TimedResult; fresh: number }> {
  const reload = runLimited(home, ['reload', 'app'], 30_000);
  const fresh = await waitFor(
    () => markedPids(home.dir).find((p) => p !== old.pid),
    "the reload's new process",
    10_000,
    10,
  );
  const other = await runLimited(home, [verb, 'app'], 30_000);
  return { reload: await reload, other, fresh };
}

function assertCleanFailure(r: TimedResult, what: string): void {
  const why = unclearFailure(r);
  assert.equal(why, undefined, `${what} exited ${r.code}: ${why}\n${r.stderr}`);
}

describe('overlapping operations leave no process behind', () => {
  it('reload, then stop while the new process is not ready: stopped, and nothing runs (also after kill)', async () => {
    const home = new Home();
    try {
      const old = await startSlowCluster(home);
      const { reload, other: stop, fresh } = await reloadThen(home, old, 'stop');
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
      const old = await startSlowCluster(home);
      const { reload, other: del, fresh } = await reloadThen(home, old, 'delete');
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
    const steward = await (async () => {
      await home.ok(['ping']);
      return connect({ home: home.dir, autostart: false });
    })();
    try {
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
          const started = steward.start(app).then(
            () => 'started',
            (e: unknown) => e,
          );
          const deleted = steward.delete(name).then(
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
      steward.disconnect();
      await home.cleanup();
    }
  });
});

/** Default seed for CI: the same command sequence every run (the timing still varies). */
const DEFAULT_SEED = 0x5eed0001;
const SOAK = process.env.STEWARD_INTERLEAVE_SECONDS !== undefined;
const SECONDS = Number(process.env.STEWARD_INTERLEAVE_SECONDS ?? 45);
const SEED_ENV = process.env.STEWARD_INTERLEAVE_SEED;
const SEED =
  SEED_ENV !== undefined && SEED_ENV !== '' && SEED_ENV !== 'random'
    ? Number(SEED_ENV) >>> 0
    : SOAK || SEED_ENV === 'random'
      ? (Math.random() * 2 ** 32) >>> 0
      : DEFAULT_SEED;
/** Pause, let everything settle and check the invariant this often (so a `kill` cannot hide a stray). */
const CHECK_EVERY_MS = Number(process.env.STEWARD_INTERLEAVE_CHECK_SECONDS ?? 10) * 1000;
/** At most this many commands in flight at once. */
const MAX_IN_FLIGHT = 3;
const COMMAND_LIMIT_MS = 60_000;

interface Issued {
  n: number;
  at: number;
  args: string[];
  result?: TimedResult;
}

function describeIssued(c: Issued): string {
  const r = c.result;
  const outcome = !r
    ? 'still running'
    : r.timedOut
      ? `killed after ${r.ms}ms`
      : `exit ${r.code} in ${r.ms}ms${
          r.code === 0
            ? ''
            : `: ${
                r.stderr
                  .split('\n')
                  .filter((l) => l.startsWith('[steward] error: '))
                  .pop() ??
                r.stderr.trim().split('\n').pop() ??
                ''
              }`
        }`;
  return `#${c.n} +${(c.at / 1000).toFixed(3)}s steward ${c.args.join(' ')} → ${outcome}`;
}

describe('interleaved operations over three apps (seeded)', () => {
  it(
    `random overlapping start/stop/restart/reload/scale/delete/kill keep the table true (seed ${SEED}, ${SECONDS}s)`,
    { timeout: (SECONDS + 240) * 1000 },
    async (t: TestContext) => {
      const home = new Home();
      const rand = mulberry32(SEED);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
      const webPort = await freePort();
      const readyPort = await freePort();
      // One cluster app slow to become ready, one fork app with a listen socket that says when it
      // is ready (slowly), one plain fork app.
      const starts: Record<string, string[]> = {
        web: ['start', SLOW, '--name', 'web', '-i', '2', '--listen-timeout', '5s', '--kill-timeout', '1s'],
        ready: [
          'start',
          SLOW,
          '--name',
          'ready',
          '--listen',
          `127.0.0.1:${readyPort}`,
          '--wait-ready',
          '--listen-timeout',
          '5s',
          '--kill-timeout',
          '1s',
        ],
        plain: ['start', FOREVER, '--name', 'plain', '--kill-timeout', '1s'],
      };
      const env = { PORT: String(webPort) };
      const names = Object.keys(starts);
      const weighted: Array<[number, () => string[]]> = [
        [25, () => starts[pick(names)] ?? []],
        [15, () => ['stop', pick(names)]],
        [15, () => ['restart', pick(names)]],
        [15, () => ['reload', pick(names)]],
        [10, () => ['delete', pick(names)]],
        [12, () => ['scale', pick(names), String(1 + Math.floor(rand() * 3))]],
        [1, () => ['kill']],
      ];
      const total = weighted.reduce((s, [w]) => s + w, 0);
      const nextCommand = (): string[] => {
        let x = rand() * total;
        for (const [w, make] of weighted) {
          if ((x -= w) < 0) return make();
        }
        return ['stop', 'all'];
      };

      const issued: Issued[] = [];
      const failures: string[] = [];
      const t0 = Date.now();
      let checkpoints = 0;
      const report = () =>
        `seed ${SEED} (rerun: STEWARD_INTERLEAVE_SEED=${SEED} STEWARD_INTERLEAVE_SECONDS=${SECONDS}), ` +
        `${issued.length} commands, ${checkpoints} checkpoint(s):\n${issued.map(describeIssued).join('\n')}`;
      try {
        for (const args of Object.values(starts)) await home.ok(args, { env });
        const inFlight = new Set<Promise<void>>();
        const drain = async () => {
          while (inFlight.size > 0) await Promise.race(inFlight);
        };
        /** Settles and checks the table; records what is wrong. */
        const checkpoint = async (what: string) => {
          await drain();
          checkpoints += 1;
          const settled = await waitSettled(home, 30_000).catch((e: unknown) => {
            failures.push(`${what}: ${e instanceof Error ? e.message : String(e)}`);
            return undefined;
          });
          if (!settled) return;
          const { problems, list } = await problemsAfter(home, { timeoutMs: 5000 });
          if (problems.length > 0) failures.push(invariantMessage(what, problems, list));
        };
        const end = t0 + SECONDS * 1000;
        let nextCheck = t0 + CHECK_EVERY_MS;
        while (Date.now() < end && failures.length === 0) {
          if (Date.now() >= nextCheck) {
            await checkpoint(`checkpoint at +${((Date.now() - t0) / 1000).toFixed(1)}s`);
            nextCheck = Date.now() + CHECK_EVERY_MS;
            continue;
          }
          while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
          const c: Issued = { n: issued.length + 1, at: Date.now() - t0, args: nextCommand() };
          issued.push(c);
          const p: Promise<void> = runLimited(home, c.args, COMMAND_LIMIT_MS, env).then((r) => {
            c.result = r;
            const why = unclearFailure(r);
            if (why !== undefined) failures.push(`${describeIssued(c)}: ${why}\n${r.stderr.trim()}`);
            inFlight.delete(p);
          });
          inFlight.add(p);
          // A random gap: part of the input, not a synchronisation.
          await new Promise((r) => setTimeout(r, Math.floor(rand() * 300)));
        }
        if (failures.length === 0) await checkpoint('after the last command');
        else await drain();
        const codes = new Map<string, number>();
        for (const c of issued) {
          const k = `${c.args[0]}:${c.result?.code ?? '?'}`;
          codes.set(k, (codes.get(k) ?? 0) + 1);
        }
        t.diagnostic(
          `seed ${SEED}: ${issued.length} operations in ${((Date.now() - t0) / 1000).toFixed(1)}s, ` +
            `${checkpoints} checkpoint(s); exit codes ${[...codes].map(([k, v]) => `${k}×${v}`).join(' ')}`,
        );
        if (process.env.STEWARD_INTERLEAVE_VERBOSE) t.diagnostic(report());
        if (failures.length > 0) assert.fail(`${failures.join('\n')}\n\n${report()}`);
      } finally {
        await home.cleanup();
      }
    },
  );
});
