import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { APPS, Home } from '../helpers.js';
import {
  freePort,
  invariantMessage,
  mulberry32,
  problemsAfter,
  runLimited,
  unclearFailure,
  waitSettled,
  type TimedResult,
} from './overlap-support.js';

/**
 * The lifecycle issue, at random: a seeded sequence of overlapping start, stop, restart, reload,
 * scale, delete and `kill` commands over three apps. Every command is fired without waiting for the
 * previous one (at most MAX_IN_FLIGHT at once, random gaps). Commands may fail (an app deleted by
 * an earlier command, a documented refusal), but each failure must be a clear one-line error,
 * never an internal error. Every CHECK_EVERY_MS the sequence pauses: once nothing is launching,
 * stopping or waiting to restart, the table must agree with the running processes
 * (overlap-support.ts, tableProblems).
 *
 * CI runs it for 45 s with a fixed seed (a file of its own: the runner gives each test file 120 s).
 * A soak, by hand, without the runner's time limit:
 *
 *   npm run build && STEWARD_INTERLEAVE_SECONDS=600 node --test dist/test/e2e/overlap-interleave.test.js
 *
 * STEWARD_INTERLEAVE_SECONDS  duration of the sequence (default 45); when set and no seed is given,
 *                             a random seed is picked (printed)
 * STEWARD_INTERLEAVE_SEED     a seed (a number, or `random`)
 * STEWARD_INTERLEAVE_CHECK_SECONDS  how often to pause and check (default 10)
 * STEWARD_INTERLEAVE_IN_FLIGHT  at most this many commands at once (default 4; 1 = no overlap)
 * STEWARD_INTERLEAVE_VERBOSE  print the command log even when the test passes
 */

const SLOW = join(APPS, 'slow-listen.js');
const FOREVER = join(APPS, 'forever.js');

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
const MAX_IN_FLIGHT = Number(process.env.STEWARD_INTERLEAVE_IN_FLIGHT ?? 4);
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
        [20, () => starts[pick(names)] ?? []],
        [15, () => ['stop', pick(names)]],
        [10, () => ['restart', pick(names)]],
        // Mostly the apps that reload without downtime (a new process next to the old one).
        [22, () => ['reload', rand() < 0.85 ? pick(['web', 'ready']) : 'plain']],
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
