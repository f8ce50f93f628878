import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import parsePrometheus from 'parse-prometheus-text-format';
import { APPS, Home, appWithSteward, waitFor, type JlistEntry } from '../helpers.js';

const port = () => 20000 + Math.floor(Math.random() * 30000);
type Monitor = Record<string, Record<string, unknown>>;

describe("steward/agent: Steward's typed in-app API", () => {
  const home = new Home();
  // A user's app directory: `import 'steward/agent'` resolves through node_modules like an install.
  const app = appWithSteward(['agent-api.mjs', 'agent-api.cjs']);
  const mjs = join(app.dir, 'agent-api.mjs');
  const env = { STEWARD_METRICS_INTERVAL: '300' };
  before(async () => {
    await home.ok(['start', mjs, '--name', 'typed'], { env });
    await home.ok(['start', mjs, '--name', 'bare', '--no-agent'], { env });
  });
  after(async () => {
    await home.cleanup();
    app.remove();
  });

  const entry = async (name: string): Promise<JlistEntry | undefined> =>
    (await home.jlist()).find((e) => e.name === name);
  const monitor = (name: string, metric: string) =>
    waitFor(async () => {
      const m = (await entry(name))?.pm2_env.axm_monitor as Monitor | undefined;
      return m?.[metric] ? m : undefined;
    }, `${metric} of ${name}`);

  it('reports gauges, counters, meters and histograms in jlist (axm_monitor) and show', async () => {
    const m = await monitor('typed', 'latency');
    assert.deepEqual(m['jobs done'], { value: 4, unit: 'jobs', kind: 'counter', historic: true });
    assert.deepEqual(m['realtime users'], { value: 42, unit: 'users', kind: 'gauge', historic: true });
    assert.equal(m['queue length']?.value, 7);
    assert.equal(m.requests?.kind, 'meter');
    assert.ok(Number(m.requests?.value) > 0);
    assert.equal(m.latency?.value, 50.5);
    assert.equal(m.latency?.p99, 99);
    assert.equal(m.latency?.count, 100);
    assert.ok('Heap Size' in m, "in the preload agent's report");
    const show = await home.ok(['show', 'typed']);
    assert.match(show.stdout, /jobs done\s+│ 4 jobs/);
    assert.match(show.stdout, /realtime users\s+│ 42 users/);
    assert.match(show.stdout, /latency\s+│ 50\.5 ms \(p50 50, p95 95, p99 99, min 1, max 100, count 100\)/);
    assert.match(show.stdout, /Actions: hello, echo, slow, fail, huge/);
  });

  it('reports them without the preload agent too (--no-agent)', async () => {
    const m = await monitor('bare', 'jobs done');
    assert.equal(m['jobs done']?.value, 4);
    assert.equal('Heap Size' in m, false);
  });

  it('runs actions with trigger: a reply, a parameter, an async handler, an error', async () => {
    const r = await home.ok(['trigger', 'typed', 'hello']);
    assert.match(r.stdout, /^\d+\|typed hello: \{"answer":"world"\}$/m);
    assert.match((await home.ok(['trigger', 'typed', 'echo', 'ping'])).stdout, /echo: \{"got":"ping"\}/);
    assert.match((await home.ok(['trigger', 'typed', 'slow', 'later'])).stdout, /slow: slept, then later$/m);
    const failed = await home.run(['trigger', 'typed', 'fail']);
    assert.equal(failed.code, 1);
    assert.match(failed.stderr, /\d+\|typed fail: the cache is locked/);
    assert.match(failed.stderr, /action fail failed on every process/);
    // The same action without the preload agent, whose listener the API installs itself.
    assert.match((await home.ok(['trigger', 'bare', 'echo', 'x'])).stdout, /\{"got":"x"\}/);
  });

  it('shows counters to Prometheus as counters and histograms as summaries', async () => {
    const p = port();
    await home.ok(['set', 'prometheus_port', String(p)]);
    const token = readFileSync(join(home.dir, 'prometheus.token'), 'utf8').trim();
    const text = await (
      await fetch(`http://127.0.0.1:${p}/metrics`, { headers: { Authorization: `Bearer ${token}` } })
    ).text();
    await home.ok(['set', 'prometheus_port', '0']);
    // Valid text format, with the right types (the parser reads summaries' labels poorly: the
    // values are read from the lines themselves).
    const types = new Map(parsePrometheus(text).map((f) => [f.name, f.type]));
    assert.equal(types.get('steward_app_counter_total'), 'COUNTER');
    assert.equal(types.get('steward_app_histogram'), 'SUMMARY');
    assert.equal(types.get('steward_app_metric'), 'GAUGE');
    const sample = (name: string, metric: string, quantile?: string) =>
      text
        .split('\n')
        .find(
          (l) =>
            l.startsWith(`${name}{app="typed",`) &&
            l.includes(`metric="${metric}"`) &&
            (quantile ? l.includes(`,quantile="${quantile}"}`) : !l.includes('quantile=')),
        )
        ?.split(' ')
        .at(-1);
    assert.equal(sample('steward_app_counter_total', 'jobs done'), '4');
    assert.match(text, /^steward_app_counter_total\{app="typed",.*metric="jobs done",unit="jobs"\} 4$/m);
    assert.equal(sample('steward_app_histogram', 'latency', '0.5'), '50');
    assert.equal(sample('steward_app_histogram', 'latency', '0.95'), '95');
    assert.equal(sample('steward_app_histogram', 'latency', '0.99'), '99');
    assert.equal(sample('steward_app_histogram_sum', 'latency'), '5050');
    assert.equal(sample('steward_app_histogram_count', 'latency'), '100');
    assert.equal(sample('steward_app_metric', 'realtime users'), '42');
    assert.ok(Number(sample('steward_app_metric', 'requests')) > 0, 'a meter is a gauge');
    assert.equal(sample('steward_app_metric', 'jobs done'), undefined, 'a counter is not also a gauge');
    assert.equal(sample('steward_app_metric', 'latency'), undefined, 'nor a histogram');
  });

  const history = (e: JlistEntry | undefined) =>
    (e?.steward as { history: Array<{ reason?: string }> } | undefined)?.history ?? [];

  it('puts a wait_ready app online when it calls ready(), from CommonJS over IPC', async () => {
    const t0 = Date.now();
    await home.ok(
      ['start', join(app.dir, 'agent-api.cjs'), '--name', 'cjs', '--wait-ready', '--listen-timeout', '20s'],
      {
        env: { AGENT_READY_MS: '600' },
      },
    );
    assert.ok(Date.now() - t0 >= 550, 'start returned before the app was ready');
    const e = await entry('cjs');
    assert.equal(e?.pm2_env.status, 'online');
    assert.equal(history(e).at(-1)?.reason, 'ready');
    assert.match((await home.ok(['trigger', 'cjs', 'ping'])).stdout, /ping: pong$/m);
  });

  it('takes the actions a reloaded process declares while it starts (before it replaces the old one)', async () => {
    const file = join(app.dir, 'agent-api.cjs');
    await home.ok(['start', file, '--name', 'rel', '-i', '1', '--wait-ready'], {
      env: { AGENT_ACTION: 'first', AGENT_READY_MS: '100' },
    });
    assert.match((await home.ok(['trigger', 'rel', 'first'])).stdout, /first: pong$/m);
    await home.ok(['reload', 'rel', '--update-env'], {
      env: { AGENT_ACTION: 'second', AGENT_READY_MS: '100' },
    });
    const e = await entry('rel');
    assert.match(JSON.stringify(history(e).at(-1)), /reload/);
    assert.match((await home.ok(['trigger', 'rel', 'second'])).stdout, /second: pong$/m);
    assert.notEqual(
      (await home.run(['trigger', 'rel', 'first'])).code,
      0,
      'the old process’s action is gone',
    );
    await home.ok(['delete', 'rel']);
  });

  it('says ready on the readiness fd when there is no IPC channel (--interpreter none)', async () => {
    // The same CommonJS app as an executable, run without a Node interpreter: no IPC, no agent.
    const script = join(app.dir, 'agent-fd.cjs');
    writeFileSync(script, `#!${process.execPath}\n${readFileSync(join(APPS, 'agent-api.cjs'), 'utf8')}`);
    chmodSync(script, 0o755);
    await home.ok(
      ['start', script, '--name', 'fd', '--interpreter', 'none', '--wait-ready', '--listen-timeout', '20s'],
      {
        env: { AGENT_READY_MS: '100' },
      },
    );
    const e = await entry('fd');
    assert.equal(e?.pm2_env.status, 'online');
    assert.equal(history(e).at(-1)?.reason, 'ready');
  });

  it('is a no-op in a plain `node app.mjs`: no error, and nothing keeps the app alive', async () => {
    const childEnv: NodeJS.ProcessEnv = { ...process.env, AGENT_EXIT: '1', AGENT_READY_MS: '0' };
    delete childEnv.STEWARD_SUPERVISOR;
    const child = spawn(process.execPath, [mjs], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = once(child, 'exit') as Promise<[number | null]>;
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [code] = await exited;
    clearTimeout(timer);
    assert.equal(code, 0, out);
    assert.equal(out, 'agent-api up: jobs 4, latency p95 95\n');
  });
});
