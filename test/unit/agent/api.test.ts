import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  action,
  counter,
  histogram,
  meter,
  metric,
  ready,
  type Counter,
  type Gauge,
  type Histogram,
  type Meter,
  type Metric,
} from '../../../src/agent/api.js';
import { ROOT, appWithSteward, waitFor } from '../../helpers.js';

describe('steward/agent handles (in process, outside Steward)', () => {
  it('counts, sets, samples and measures', () => {
    const c = counter('t counter');
    c.inc();
    c.inc(4);
    c.dec(2);
    assert.equal(c.value, 3);
    c.reset();
    assert.equal(c.value, 0);
    const g = metric('t gauge');
    assert.ok(Number.isNaN(g.value), 'a gauge never set has no value');
    g.set(2.5);
    assert.equal(g.value, 2.5);
    let n = 1;
    const sampled = metric('t sampled', () => (n += 1));
    assert.equal(sampled.value, 2);
    const m = meter('t meter');
    m.mark(4);
    assert.equal(m.value, 4, 'a meter younger than 1 s divides by 1 s');
    const h = histogram('t histogram', { measurement: 'p95' });
    assert.equal(h.stats(), undefined);
    for (let i = 1; i <= 20; i += 1) h.update(i);
    h.update(Number.NaN);
    assert.equal(h.value, 19);
    assert.deepEqual(h.stats(), {
      count: 20,
      sum: 210,
      min: 1,
      max: 20,
      mean: 10.5,
      p50: 10,
      p95: 19,
      p99: 20,
    });
  });

  it('gives the same handle for the same name and kind, and warns when the kind changes', async () => {
    const a = counter('t shared');
    a.inc();
    assert.equal(counter('t shared'), a);
    const warned = once(process, 'warning') as Promise<[Error & { code?: string }]>;
    const g = metric('t shared');
    const [w] = await warned;
    assert.equal(w.code, 'STEWARD_AGENT_METRIC');
    assert.match(w.message, /"t shared" was a counter, it is now a gauge/);
    assert.notEqual(g, a);
  });

  it('does nothing with the IPC channel and no timer outside Steward; ready() is a no-op', () => {
    const listeners = process.listenerCount('message');
    action('t action', () => 1);
    ready();
    assert.equal(process.listenerCount('message'), listeners);
    const host = (globalThis as unknown as Record<symbol, { reporter?: string }>)[
      Symbol.for('steward.agent')
    ];
    assert.equal(host?.reporter, undefined);
  });

  it('rejects a missing name or handler (a programming error, in or out of Steward)', () => {
    assert.throws(() => counter(''), TypeError);
    assert.throws(() => action('x', undefined as unknown as () => void), /action "x" needs a handler/);
  });
});

type Msg = { type?: string; data?: Record<string, unknown> } | string;

/** The fixture app under a fake daemon: this process is its IPC parent. */
class FakeDaemon {
  readonly messages: Msg[] = [];
  readonly child: ChildProcess;
  readonly exited: Promise<unknown>;
  output = '';

  constructor(script: string, opts: { preload?: boolean; env?: Record<string, string | undefined> } = {}) {
    this.child = fork(script, [], {
      execArgv: opts.preload ? ['--require', join(ROOT, 'dist/src/agent/preload.cjs')] : [],
      env: {
        ...process.env,
        STEWARD_SUPERVISOR: '/fake-daemon',
        STEWARD_METRICS_INTERVAL: '50',
        ...opts.env,
      },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    this.exited = once(this.child, 'exit');
    this.child.on('message', (m: Msg) => this.messages.push(m));
    this.child.stdout?.on('data', (d: Buffer) => (this.output += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.output += d.toString()));
  }

  monitors(): Array<Record<string, Record<string, unknown>>> {
    return this.messages.flatMap((m) =>
      typeof m === 'object' && m.type === 'axm:monitor'
        ? [m.data as Record<string, Record<string, unknown>>]
        : [],
    );
  }

  /** Sends an action as the daemon does (`name`, or `{ msg, opts }` with a parameter) and waits for its reply. */
  async trigger(name: string, param?: string): Promise<Record<string, unknown>> {
    const seen = this.messages.length;
    this.child.send(param === undefined ? name : { msg: name, opts: param });
    return waitFor(
      () =>
        this.messages
          .slice(seen)
          .flatMap((m) => (typeof m === 'object' && m.type === 'axm:reply' ? [m.data ?? {}] : []))
          .find((d) => d.action_name === name),
      `reply of ${name}`,
    );
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }
}

describe('steward/agent over IPC (a fake daemon)', () => {
  const app = appWithSteward(['agent-api.mjs']);
  const script = join(app.dir, 'agent-api.mjs');
  const daemons: FakeDaemon[] = [];
  const start = (opts?: ConstructorParameters<typeof FakeDaemon>[1]) => {
    const d = new FakeDaemon(script, opts);
    daemons.push(d);
    return d;
  };
  after(async () => {
    await Promise.all(daemons.map((d) => d.stop()));
    app.remove();
  });

  describe('without the preload agent', () => {
    let d: FakeDaemon;
    before(() => {
      d = start({ env: { AGENT_READY_MS: '0' } });
    });

    it('declares actions and says ready', async () => {
      await waitFor(
        () => d.messages.filter((m) => typeof m === 'object' && m.type === 'axm:action').length === 5,
        'five actions',
      );
      const first = d.messages.find((m) => typeof m === 'object' && m.type === 'axm:action');
      assert.deepEqual(first, {
        type: 'axm:action',
        data: { action_name: 'hello', action_type: 'custom', arity: 0, opts: null },
      });
      await waitFor(() => d.messages.includes('ready'), "'ready'");
    });

    it('reports its metrics in a message of its own, with their kind', async () => {
      const data = await waitFor(() => d.monitors().at(0), 'axm:monitor');
      assert.equal('Heap Size' in data, false, 'no runtime metrics without the preload agent');
      assert.deepEqual(data['jobs done'], { value: 4, unit: 'jobs', kind: 'counter', historic: true });
      assert.deepEqual(data['realtime users'], { value: 42, unit: 'users', kind: 'gauge', historic: true });
      assert.deepEqual(data['queue length'], { value: 7, kind: 'gauge', historic: true });
      assert.equal(data.requests?.kind, 'meter');
      assert.equal(data.requests?.unit, 'req/s');
      assert.ok(Number(data.requests?.value) > 0);
      assert.deepEqual(data.latency, {
        value: 50.5,
        unit: 'ms',
        kind: 'histogram',
        historic: true,
        measurement: 'mean',
        count: 100,
        sum: 5050,
        min: 1,
        max: 100,
        mean: 50.5,
        p50: 50,
        p95: 95,
        p99: 99,
      });
    });

    it('replies to actions: a value, a parameter, an async handler, errors', async () => {
      assert.deepEqual((await d.trigger('hello')).return, { answer: 'world' });
      assert.deepEqual((await d.trigger('echo', 'ping')).return, { got: 'ping' });
      assert.equal((await d.trigger('slow', 'done')).return, 'slept, then done');
      const failed = await d.trigger('fail');
      assert.equal(failed.error, 'the cache is locked');
      assert.equal('return' in failed, false);
      assert.match(String((await d.trigger('huge')).error), /cannot be sent as JSON .*BigInt/);
    });
  });

  it('rides in the preload agent’s own report when the agent is loaded (one message per period)', async () => {
    const d = start({ preload: true });
    // The agent's first report may come before an ES module app has finished loading (and so
    // registered its metrics): count the reports from the moment the app says it is up.
    await waitFor(() => d.output.includes('agent-api up'), 'the app up');
    const from = d.monitors().length;
    await waitFor(() => d.monitors().length >= from + 3, 'three reports');
    for (const data of d.monitors()) {
      assert.ok('Heap Size' in data, Object.keys(data).join(', '));
      assert.equal(data['Heap Size']?.type, 'steward');
    }
    for (const data of d.monitors().slice(from + 1))
      assert.ok('jobs done' in data, Object.keys(data).join(', '));
  });

  it('lets the app exit by itself: the action listener does not hold the IPC channel', async () => {
    const d = start({ env: { AGENT_EXIT: '1' } });
    const [code] = (await d.exited) as [number | null];
    assert.equal(code, 0, d.output);
    assert.ok(d.messages.some((m) => typeof m === 'object' && m.type === 'axm:action'));
  });

  it('sends nothing to an IPC parent that is not Steward', async () => {
    const d = start({ env: { AGENT_EXIT: '1', AGENT_READY_MS: '0', STEWARD_SUPERVISOR: undefined } });
    const [code] = (await d.exited) as [number | null];
    assert.equal(code, 0, d.output);
    assert.deepEqual(d.messages, []);
  });
});

/** Type tests: this must compile, and each `@ts-expect-error` must stay an error. Never called. */
export function typeChecks(): void {
  const expectType = <T>(_v: T): void => undefined;
  expectType<Gauge>(metric('a', { unit: 'users' }));
  expectType<Metric>(metric('b', () => 1));
  expectType<Counter>(counter('c'));
  expectType<Meter>(meter('d', { timeframe: 10 }));
  expectType<Histogram>(histogram('e', { unit: 'ms', measurement: 'p99' }));
  action('f', (param) => Promise.resolve({ upper: param?.toUpperCase() }));
  // @ts-expect-error a sampled metric is not set
  expectType<Gauge>(metric('g', () => 1));
  // @ts-expect-error a sampler returns a number
  metric('h', () => 'x');
  // @ts-expect-error measurements are named
  histogram('i', { measurement: 'p42' });
  // @ts-expect-error the parameter is undefined when trigger has none
  action('j', (param: string) => param);
}
