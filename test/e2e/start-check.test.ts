import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, describe, it } from 'node:test';
import { APPS, Home, tmpDir, waitFor, type JlistEntry } from '../helpers.js';

/**
 * The start check (src/daemon/lifecycle/start-check.ts): `start` returns once an app proves it is
 * up, and a crash in the rest of the start window is told to the next CLI command and in `show`.
 * A long window (STEWARD_START_SETTLE_MS) keeps the timing far from any deadline.
 */
const WINDOW = { STEWARD_START_SETTLE_MS: '8000' };

/** Runs `ls` until one run warns about `name`; returns that warning. Every run is a "next command". */
async function nextCommandWarning(home: Home, name: string): Promise<string> {
  return waitFor(
    async () => {
      const r = await home.ok(['ls']);
      return r.stderr.split('\n').find((l) => l.includes(`warning: ${name} (id`));
    },
    `a warning about ${name} from the next command`,
    15_000,
    100,
  );
}

function entry(list: JlistEntry[], name: string): JlistEntry {
  const e = list.find((x) => x.name === name);
  assert.ok(e, `${name} is in the table`);
  return e;
}

describe('start check: return once up, report a late crash on the next command', () => {
  const home = new Home();
  const dir = tmpDir();
  after(() => home.cleanup());

  it('a Node app that crashes after it loaded: start returns at once; the next command and show tell', async () => {
    const t0 = performance.now();
    const r = await home.ok(['start', join(APPS, 'crash.js'), '--name', 'late'], {
      env: { ...WINDOW, DELAY_MS: '1000', EXIT_CODE: '7' },
    });
    // It did not wait the 8 s window (nor for the crash a second after load).
    assert.ok(performance.now() - t0 < 5000, `start took ${Math.round(performance.now() - t0)} ms`);
    assert.doesNotMatch(r.stderr, /exited/);
    const warning = await nextCommandWarning(home, 'late');
    assert.match(
      warning,
      /^\[steward\] warning: late \(id \d+\) exited \d+ms after it was started: crashed \(code 7\)/,
    );
    assert.match(warning, /steward show late/);
    // Told once.
    assert.doesNotMatch((await home.ok(['ls'])).stderr, /late/);
    const late = entry(await home.jlist(), 'late').steward.late_start as {
      after_ms: number;
      window_ms: number;
    };
    assert.ok(late.after_ms >= 1000 && late.after_ms < 8000, `after_ms ${late.after_ms}`);
    assert.equal(late.window_ms, 8000);
    const show = await home.ok(['show', 'late']);
    assert.match(
      show.stdout,
      /start check\s+│ failed: pid \d+ exited \d+ms after start \(crashed \(code 7\)\)/,
    );
    // A manual restart starts over: the failure is history.
    await home.ok(['restart', 'late']);
    assert.equal(entry(await home.jlist(), 'late').steward.late_start, null);
    assert.doesNotMatch((await home.ok(['show', 'late'])).stdout, /start check/);
    await home.ok(['delete', 'late']);
  });

  it('a Node app (CommonJS or ES module) that crashes while loading still fails start, with its last error lines', async () => {
    const app = join(dir, 'noconf.js');
    writeFileSync(app, "console.error('cannot read /etc/noconf.json'); process.exit(3)");
    const r = await home.run(['start', app], { env: WINDOW });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /noconf \(id \d+\) exited right after start: crashed \(code 3\)/);
    assert.match(r.stderr, /cannot read \/etc\/noconf\.json/);
    // Reported by start itself: not told again by the next command.
    assert.doesNotMatch((await home.ok(['ls'])).stderr, /warning: noconf/);
    await home.ok(['delete', 'noconf']);
    // An ES module runs after its imports were read (several turns of the loop): still caught.
    const esm = join(dir, 'esm-missing.mjs');
    writeFileSync(esm, "import './not-there.mjs';\n");
    const e = await home.run(['start', esm], { env: WINDOW });
    assert.equal(e.code, 1);
    assert.match(e.stderr, /esm-missing \(id \d+\) exited right after start: crashed \(code 1\)/);
    assert.match(e.stderr, /ERR_MODULE_NOT_FOUND/);
    await home.ok(['delete', 'esm-missing']);
  });

  it('a bash app: an immediate failure fails start; a crash a second later is told next', async () => {
    const bad = join(dir, 'bad.sh');
    writeFileSync(bad, 'echo "no such file: /etc/bad.conf" >&2\nexit 2\n');
    const r = await home.run(['start', bad], { env: WINDOW });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /bad \(id \d+\) exited right after start: crashed \(code 2\)/);
    assert.match(r.stderr, /no such file: \/etc\/bad\.conf/);
    await home.ok(['delete', 'bad']);

    const slow = join(dir, 'slow.sh');
    writeFileSync(slow, 'sleep 1\necho "port 8080 taken" >&2\nexit 5\n');
    const t0 = performance.now();
    await home.ok(['start', slow], { env: WINDOW });
    assert.ok(performance.now() - t0 < 5000, `start took ${Math.round(performance.now() - t0)} ms`);
    assert.match(
      await nextCommandWarning(home, 'slow'),
      /slow \(id \d+\) exited \d+ms after it was started: crashed \(code 5\)/,
    );
    await home.ok(['delete', 'slow']);
  });

  it('a stop within the window is not a failed start', async () => {
    await home.ok(['start', join(APPS, 'forever.js'), '--name', 'calm'], { env: WINDOW });
    await home.ok(['stop', 'calm']);
    const after1 = await home.ok(['ls']);
    assert.doesNotMatch(after1.stderr, /calm/);
    assert.equal(entry(await home.jlist(), 'calm').steward.late_start, null);
    await home.ok(['delete', 'calm']);
  });
});
