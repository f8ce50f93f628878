import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { describe, it } from 'node:test';
import { healthStep, runCheck, type HealthCheck } from '../../../../src/daemon/guards/health.js';

const cfg = (over: Partial<HealthCheck> = {}): HealthCheck => ({
  type: 'http',
  target: 'http://127.0.0.1:1/',
  expect_status: [],
  interval: 1000,
  timeout: 200,
  failure_threshold: 3,
  initial_delay: 0,
  ...over,
});

describe('healthStep', () => {
  it('restarts after failure_threshold failures in a row, and a success resets the count', () => {
    let st = { failures: 0, lastError: null as string | null };
    const fail = { ok: false as const, reason: 'status 500' };
    for (const [res, restart] of [
      [fail, false],
      [fail, false],
      [{ ok: true as const }, false],
      [fail, false],
      [fail, false],
      [fail, true],
    ] as const) {
      const step = healthStep(cfg(), st, res);
      assert.equal(step.restart !== null, restart);
      st = step.state;
    }
    assert.equal(st.failures, 0);
  });

  it('says which check failed and how', () => {
    const step = healthStep(
      cfg({ failure_threshold: 1 }),
      { failures: 0, lastError: null },
      { ok: false, reason: 'no connection' },
    );
    assert.equal(
      step.restart,
      'health check failed 1 time in a row (http http://127.0.0.1:1/: no connection)',
    );
  });
});

describe('runCheck', () => {
  it('checks HTTP status (expected list or < 400), TCP and commands for real', async () => {
    // These checks get an answer; 200 ms was too short for the first HTTP request on a loaded CI.
    const server = createServer((req, res) => {
      res.statusCode = req.url === '/bad' ? 503 : 204;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    try {
      assert.deepEqual(
        await runCheck(cfg({ timeout: 5000, target: `http://127.0.0.1:${port}/ok` }), '/', {}),
        { ok: true },
      );
      assert.deepEqual(
        await runCheck(cfg({ timeout: 5000, target: `http://127.0.0.1:${port}/bad` }), '/', {}),
        {
          ok: false,
          reason: 'status 503',
        },
      );
      assert.deepEqual(
        await runCheck(
          cfg({ timeout: 5000, target: `http://127.0.0.1:${port}/ok`, expect_status: [200] }),
          '/',
          {},
        ),
        {
          ok: false,
          reason: 'status 204',
        },
      );
      assert.deepEqual(
        await runCheck(cfg({ timeout: 5000, type: 'tcp', target: `127.0.0.1:${port}` }), '/', {}),
        {
          ok: true,
        },
      );
    } finally {
      server.close();
    }
    assert.deepEqual(await runCheck(cfg({ timeout: 5000, type: 'command', target: 'exit 0' }), '/', {}), {
      ok: true,
    });
    assert.deepEqual(await runCheck(cfg({ timeout: 5000, type: 'command', target: 'exit 3' }), '/', {}), {
      ok: false,
      reason: 'exit code 3',
    });
    const slow = await runCheck(cfg({ type: 'command', target: 'sleep 5', timeout: 100 }), '/', {});
    assert.deepEqual(slow, { ok: false, reason: 'timed out after 100ms' });
  });
});
