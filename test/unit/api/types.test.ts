import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pm2, * as steward from '../../../src/api/index.js';
import {
  connect,
  StewardClient,
  StewardError,
  type AppOptions,
  type Bus,
  type LogLine,
  type ProcessDescription,
  type ProcessEvent,
  type ProcessInfo,
  type ProcessStatus,
  type StartResult,
} from '../../../src/api/index.js';
import compat from '../../../src/api/pm2-compat.js';
import type { ProcSummary } from '../../../src/protocol/methods.js';

/**
 * Type tests of the public API: this file must compile (it is part of `npm run build`), and each
 * `@ts-expect-error` must still be an error. `typeChecks` is never called.
 */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const expectType = <T>(_value: T): void => undefined;
const expectTrue = <T extends true>(): T | undefined => undefined;

async function typeChecks(): Promise<void> {
  const s = await connect({ home: '/tmp/steward-home', autostart: false });
  expectType<StewardClient>(s);
  const app: AppOptions = {
    script: 'server.js',
    name: 'api',
    instances: 'max',
    env: { PORT: 3000, DEBUG: true },
    kill_timeout: '5s',
    max_memory_restart: '300M',
    stop_exit_codes: [0, 2],
    env_production: { NODE_ENV: 'production' },
  };
  const started = await s.start(app, { settleMs: 200 });
  expectTrue<Equal<typeof started, StartResult>>();
  expectTrue<Equal<ProcessInfo['status'], ProcessStatus>>();
  // The public row type is written out (to keep the wire types out of the declarations): same fields.
  expectTrue<Equal<keyof ProcessInfo, keyof ProcSummary>>();
  expectTrue<Equal<Omit<ProcessInfo, 'status'>, Omit<ProcSummary, 'status'>>>();
  expectType<number>(started.processes[0]?.pm_id ?? 0);
  await s.start([app, { script: 'worker.py' }]);
  await s.start('worker.py', { name: 'worker', interpreter: 'python3' }, { force: true });
  await s.start('ecosystem.config.js', {}, { env: 'production', only: ['api'] });
  // @ts-expect-error an app needs a script
  await s.start({ name: 'nameless' });
  // @ts-expect-error option names are checked: a typo is an error
  await s.start({ script: 'a.js', nmae: 'typo' });
  // @ts-expect-error exec_mode takes PM2's values only
  await s.start({ script: 'a.js', exec_mode: 'threads' });
  // @ts-expect-error env values are strings, numbers or booleans
  await s.start({ script: 'a.js', env: { A: { nested: 1 } } });

  expectTrue<Equal<Awaited<ReturnType<StewardClient['stop']>>, number[]>>();
  await s.restart(['api', 3], { updateEnv: true });
  await s.reload('all');
  await s.delete(/* a namespace */ 'backend');
  // @ts-expect-error targets are names, ids or lists of them
  await s.stop({ name: 'api' });

  const list: ProcessInfo[] = await s.list();
  expectType<string>(list[0]?.name ?? '');
  const [d] = await s.describe('api');
  expectTrue<Equal<typeof d, ProcessDescription | undefined>>();
  expectType<ProcessStatus | undefined>(d?.pm2_env.status);
  expectType<Record<string, string> | undefined>(d?.pm2_env.env);

  const logs = await s.logs({ targets: ['api', 0] });
  logs.on('data', (_line) => expectTrue<Equal<typeof _line, LogLine>>());
  // @ts-expect-error streams emit data, close and error only
  logs.on('line', () => undefined);
  for await (const line of logs) {
    expectType<'out' | 'err'>(line.type);
    expectType<string>(line.data);
  }
  const events = await s.events();
  events.on('data', (_e) => expectTrue<Equal<typeof _e, ProcessEvent>>());
  events.close();
  s.disconnect();
  // @ts-expect-error the promise form takes options, not a path
  await connect('/tmp/steward-home');

  // PM2's callback API, as the default export, as named exports and from steward/pm2-compat.
  pm2.connect((err) => expectType<Error | null>(err));
  steward.connect(false, () => undefined);
  pm2.start({ script: 'app.js', name: 'a', exec_mode: 'cluster', instances: 2 }, (err, procs) => {
    expectType<Error | null>(err);
    expectType<ProcessDescription[] | undefined>(procs);
  });
  steward.start('app.js', { name: 'b' }, () => undefined);
  compat.list((_err, procs) => expectType<string | undefined>(procs?.[0]?.pm2_env.status));
  pm2.restart('a', { updateEnv: true }, () => undefined);
  pm2.delete('a', () => undefined);
  steward.describe(0, () => undefined);
  pm2.launchBus((_err, bus) => {
    expectType<Bus | undefined>(bus);
    bus?.on('log:out', (packet) => expectType<string>(packet.data));
    bus?.on('log:err', (packet) => expectType<number>(packet.process.pm_id));
    bus?.on('process:event', (packet) => expectType<string>(packet.event));
  });
  // @ts-expect-error list needs a callback
  pm2.list();
  pm2.disconnect();
}

describe('API types', () => {
  it('compile (see typeChecks) and match the runtime exports', () => {
    assert.equal(typeof typeChecks, 'function');
    for (const name of [
      'connect',
      'start',
      'stop',
      'restart',
      'reload',
      'delete',
      'list',
      'describe',
      'launchBus',
      'disconnect',
    ]) {
      assert.equal(typeof (steward as Record<string, unknown>)[name], 'function', name);
      assert.equal(typeof (pm2 as Record<string, unknown>)[name], 'function', name);
    }
    assert.equal(pm2, compat);
    assert.equal(typeof StewardClient, 'function');
    assert.ok(new StewardError('E_APP_NOT_FOUND', 'x') instanceof Error);
  });
});
