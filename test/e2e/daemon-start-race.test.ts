import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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

describe('daemon start race', () => {
  it(`${CONCURRENT} concurrent first commands start exactly one daemon, all succeed (${ROUNDS} rounds)`, async () => {
    // Every round runs, so that a failure says how often the race is lost, not just that it was.
    const failures: string[] = [];
    for (let n = 1; n <= ROUNDS; n++) {
      const home = new Home();
      try {
        await round(home, n);
        await home.cleanup();
      } catch (e) {
        failures.push((e as Error).message);
        // cleanup still ends whatever the round left
        await home.cleanup().catch((c: unknown) => failures.push((c as Error).message));
      }
    }
    assert.deepEqual(failures, [], `${failures.length} failure(s) in ${ROUNDS} rounds`);
  });
});
