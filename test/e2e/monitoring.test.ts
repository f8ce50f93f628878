import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import parsePrometheus from 'parse-prometheus-text-format';
import { APPS, Home, readText, waitFor } from '../helpers.js';

const port = () => 20000 + Math.floor(Math.random() * 30000);

const monitorOf = async (home: Home, name: string) =>
  (await home.jlist()).find((e) => e.name === name)?.pm2_env.axm_monitor as
    Record<string, { value: unknown; unit?: string }> | undefined;

describe('metrics, actions and Prometheus', () => {
  const home = new Home();
  const promPort = port();
  before(async () => {
    await home.ok(['start', join(APPS, 'pmio.js'), '--name', 'pmio'], {
      env: { STEWARD_METRICS_INTERVAL: '300' },
    });
    await home.ok(['start', join(APPS, 'forever.js'), '--name', 'plain'], {
      env: { STEWARD_METRICS_INTERVAL: '300' },
    });
  });
  after(() => home.cleanup());

  const monitor = (name: string) => monitorOf(home, name);

  it('shows an @pm2/io custom metric in jlist (axm_monitor) and show', async () => {
    const m = await waitFor(async () => {
      const x = await monitor('pmio');
      return x?.['Realtime users'] ? x : undefined;
    }, 'custom metric');
    assert.equal(m['Realtime users']?.value, 42);
    assert.equal(m['Realtime users']?.unit, 'users');
    const show = await home.ok(['show', 'pmio']);
    assert.match(show.stdout, /Realtime users\s+│ 42 users/);
    assert.match(show.stdout, /Actions: .*hello, echo/);
  });

  it("reports Steward's agent metrics for a plain Node app", async () => {
    const m = await waitFor(async () => {
      const x = await monitor('plain');
      return x?.['Event Loop Latency p95'] ? x : undefined;
    }, 'agent metrics');
    for (const k of [
      'Heap Size',
      'Used Heap Size',
      'Event Loop Latency',
      'Active handles',
      'HTTP',
      'GC Pause',
    ])
      assert.ok(k in m, k);
    assert.ok(Number(m['Used Heap Size']?.value) > 0);
  });

  it('runs @pm2/io actions with trigger, with and without a parameter', async () => {
    const r = await home.ok(['trigger', 'pmio', 'hello']);
    assert.match(r.stdout, /^\d+\|pmio hello: \{"answer":"world"\}$/m);
    const p = await home.ok(['trigger', 'pmio', 'echo', 'ping']);
    assert.match(p.stdout, /echo: \{"got":"ping"\}/);
    const bad = await home.run(['trigger', 'pmio', 'nope']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /no process of pmio has an action "nope".*hello/);
  });

  it('exposes everything to Prometheus, behind a token, in valid text format', async () => {
    await home.ok(['set', 'prometheus_port', String(promPort)]);
    const url = `http://127.0.0.1:${promPort}/metrics`;
    const denied = await fetch(url);
    assert.equal(denied.status, 401);
    const token = readFileSync(join(home.dir, 'prometheus.token'), 'utf8').trim();
    const text = await (await fetch(url, { headers: { Authorization: `Bearer ${token}` } })).text();
    const families = parsePrometheus(text);
    const byName = new Map(families.map((f) => [f.name, f]));
    for (const [name, type] of [
      ['steward_process_up', 'GAUGE'],
      ['steward_process_cpu_percent', 'GAUGE'],
      ['steward_process_memory_bytes', 'GAUGE'],
      ['steward_process_restarts_total', 'COUNTER'],
      ['steward_nodejs_heap_used_bytes', 'GAUGE'],
      ['steward_nodejs_eventloop_lag_p95_seconds', 'GAUGE'],
      ['steward_app_metric', 'GAUGE'],
    ] as const) {
      assert.equal(byName.get(name)?.type, type, name);
    }
    const up = byName.get('steward_process_up')?.metrics ?? [];
    assert.deepEqual(up.map((s) => [s.labels?.app, s.value]).sort(), [
      ['plain', '1'],
      ['pmio', '1'],
    ]);
    const custom = byName
      .get('steward_app_metric')
      ?.metrics.find((s) => s.labels?.metric === 'Realtime users');
    assert.equal(custom?.value, '42');
    assert.equal(custom?.labels?.unit, 'users');
    assert.ok(Number(byName.get('steward_process_memory_bytes')?.metrics[0]?.value) > 1_000_000);
    await home.ok(['set', 'prometheus_port', '0']);
    await assert.rejects(fetch(url));
  });

  it('sends signals and stdin lines', async () => {
    await home.ok(['start', join(APPS, 'stdin-echo.js'), '--name', 'echoer']);
    await home.ok(['send', 'echoer', 'hello', 'there']);
    await waitFor(
      () => readText(join(home.dir, 'logs/echoer-out.log')).includes('got: hello there'),
      'stdin line echoed',
    );
    await home.ok(['sendSignal', 'SIGUSR2', 'echoer']);
    await waitFor(
      () => readText(join(home.dir, 'logs/echoer-out.log')).includes('got SIGUSR2'),
      'signal received',
    );
    const bad = await home.run(['sendSignal', 'SIGNOPE', 'echoer']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /unknown signal SIGNOPE|invalid params/);
  });
});

describe("the agent's GC and HTTP metrics", () => {
  const home = new Home();
  after(() => home.cleanup());

  it('measures GC pauses and HTTP requests of an app that collects and serves', async () => {
    await home.ok(['start', join(APPS, 'busy-http.js'), '--name', 'busy'], {
      env: { STEWARD_METRICS_INTERVAL: '300' },
    });
    const num = (m: Record<string, { value: unknown }>, k: string) => Number(m[k]?.value);
    // One report (300 ms) with everything in it: the app collects and serves every 20 ms.
    const m = await waitFor(async () => {
      const x = await monitorOf(home, 'busy');
      return x && num(x, 'GC Count') > 0 && num(x, 'HTTP') > 0 && num(x, 'HTTP Mean Latency') > 0
        ? x
        : undefined;
    }, 'GC and HTTP metrics of busy');
    assert.ok(num(m, 'GC Pause') > 0, `GC Pause ${String(m['GC Pause']?.value)}`);
    assert.ok(num(m, 'HTTP P95 Latency') >= num(m, 'HTTP Mean Latency'));
    assert.equal(m['GC Pause']?.unit, 'ms');
    assert.equal(m.HTTP?.unit, 'req/min');
  });

  it('keeps timing HTTP requests after a timed one is abandoned by its client', async () => {
    // The app's first request is timed and never answered; its client goes away. Were the agent
    // still waiting for that response to finish, no later request would be timed.
    await home.ok(['start', join(APPS, 'abort-http.js'), '--name', 'aborted'], {
      env: { STEWARD_METRICS_INTERVAL: '300' },
    });
    const m = await waitFor(async () => {
      const x = await monitorOf(home, 'aborted');
      return x && Number(x.HTTP?.value) > 0 && Number(x['HTTP Mean Latency']?.value) > 0 ? x : undefined;
    }, 'a latency after the abandoned request');
    assert.ok(Number(m['HTTP P95 Latency']?.value) >= Number(m['HTTP Mean Latency']?.value));
  });
});
