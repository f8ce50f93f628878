import assert from 'node:assert/strict';
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { readStat } from '../../src/daemon/process/procfs.js';
import { daemonPids, Home, waitFor } from '../helpers.js';

/** First commands fired at the same moment against a home with no daemon yet. */
const CONCURRENT = 6;
const ROUNDS = 5;
const COMMANDS = [['ping'], ['ls'], ['jlist']];

async function round(home: Home, n: number): Promise<void> {
  const results = await Promise.all(
    Array.from({ length: CONCURRENT }, (_, i) => home.run(COMMANDS[i % COMMANDS.length] ?? ['ping'])),
  );
  assert.deepEqual(
    results.filter((r) => r.code !== 0).map((r) => `exit ${r.code}: ${r.stderr.trim()}`),
    [],
    `round ${n}: every command succeeds`,
  );
  // Daemons that lost the race exit on their own: wait for them; then exactly one is left, and it
  // is the one that answers on the socket and that daemon.pid names.
  const pids = await waitFor(
    () => (daemonPids(home.dir).length === 1 ? daemonPids(home.dir) : undefined),
    `exactly one daemon for the home in round ${n}`,
    5000,
  ).catch((e: unknown) => {
    throw new Error(`${(e as Error).message}; running: ${daemonPids(home.dir).join(', ')}`);
  });
  const ping = await home.ok(['ping']);
  assert.match(ping.stdout, /pong/);
  assert.equal(home.daemonPid(), pids[0], `round ${n}: daemon.pid names the running daemon`);
}

/** Runs every round (so that a failure says how often the race is lost) and fails with them all. */
async function rounds(count: number, prepare: (home: Home) => Promise<void>): Promise<void> {
  const failures: string[] = [];
  for (let n = 1; n <= count; n++) {
    const home = new Home();
    try {
      await prepare(home);
      await round(home, n);
      await home.cleanup();
    } catch (e) {
      failures.push((e as Error).message);
      // cleanup still ends whatever the round left
      await home.cleanup().catch((c: unknown) => failures.push((c as Error).message));
    }
  }
  assert.deepEqual(failures, [], `${failures.length} failure(s) in ${count} rounds`);
}

/** Starts the daemon, then SIGKILLs it: its socket and daemon.pid stay behind, stale. */
async function killDaemon(home: Home): Promise<string> {
  await home.ok(['ping']);
  const pid = await waitFor(() => home.daemonPid(), 'daemon.pid');
  const identity = `${pid}:${readStat(pid)?.startTime}`;
  process.kill(pid, 'SIGKILL');
  await waitFor(() => daemonPids(home.dir).length === 0, 'the killed daemon to be gone');
  assert.ok(existsSync(join(home.dir, 'daemon.sock')), 'the stale socket is left');
  return identity;
}

describe('daemon start race', () => {
  it(`${CONCURRENT} concurrent first commands start exactly one daemon, all succeed (${ROUNDS} rounds)`, () =>
    rounds(ROUNDS, () => Promise.resolve()));

  it(`the same after a kill -9 of the daemon left a stale socket (${ROUNDS} rounds)`, () =>
    rounds(ROUNDS, async (home) => {
      await killDaemon(home);
    }));

  it(`the same when that daemon died holding the start lock (${ROUNDS} rounds)`, () =>
    rounds(ROUNDS, async (home) => {
      // What a daemon killed while starting leaves: the lock naming it, and a stale socket.
      symlinkSync(await killDaemon(home), join(home.dir, 'daemon.lock'));
    }));

  it(`a kill racing new commands leaves no unreachable daemon behind (${ROUNDS} rounds)`, async () => {
    const failures: string[] = [];
    for (let n = 1; n <= ROUNDS; n++) {
      const home = new Home();
      try {
        await home.ok(['ping']);
        // Commands that reach the old daemon as it stops may fail; what must not happen is a new
        // daemon whose socket the old one removed on its way out (running, but unreachable).
        await Promise.all([home.run(['kill']), ...COMMANDS.map((c) => home.run(c)), home.run(['ping'])]);
        await waitFor(() => daemonPids(home.dir).length <= 1, `at most one daemon in round ${n}`, 5000);
        const running = daemonPids(home.dir);
        // A ping now reaches the daemon left running, if any (else it would start a second one).
        await home.ok(['ping']);
        if (running.length === 1)
          assert.deepEqual(daemonPids(home.dir), running, `round ${n}: the daemon left running answers`);
        assert.equal(home.daemonPid(), daemonPids(home.dir)[0], `round ${n}: daemon.pid names it`);
        await home.cleanup();
      } catch (e) {
        failures.push((e as Error).message);
        await home.cleanup().catch((c: unknown) => failures.push((c as Error).message));
      }
    }
    assert.deepEqual(failures, [], `${failures.length} failure(s) in ${ROUNDS} rounds`);
  });
});
