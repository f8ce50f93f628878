import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  connect,
  StewardError,
  type LogLine,
  type ProcessEvent,
  type StewardClient,
} from '../../src/api/index.js';
import pm2, { type Bus } from '../../src/api/pm2-compat.js';
import { APPS, Home, ROOT, markedPids, tmpDir, waitFor, type RunResult } from '../helpers.js';

const FOREVER = join(APPS, 'forever.js');
const LOGGER = join(APPS, 'logger.js');

function run(file: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env, cwd }, (err, stdout, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
    );
  });
}

describe('API: typed client', () => {
  const home = new Home();
  let s: StewardClient;
  before(async () => {
    s = await connect({ home: home.dir });
  });
  after(async () => {
    s.disconnect();
    await home.cleanup();
  });

  it('connects (starting the daemon) and starts an app from PM2-style options', async () => {
    const d = await s.daemon();
    assert.equal(d.home, home.dir);
    assert.equal(d.pid, home.daemonPid());
    const res = await s.start(
      { script: FOREVER, name: 'api', env: { GREETING: 'hi', N: 1 }, kill_timeout: '2s' },
      { settleMs: 100 },
    );
    assert.deepEqual(
      res.processes.map((p) => [p.name, p.status]),
      [['api', 'online']],
    );
    const [desc] = await s.describe('api');
    assert.equal(desc?.pm2_env.env.GREETING, 'hi');
    assert.equal(desc?.pm2_env.env.N, '1');
    assert.equal(desc?.pm2_env.kill_timeout, 2000);
    assert.deepEqual(
      (await s.list()).map((p) => p.name),
      ['api'],
    );
  });

  it('start(script, options) and unknown options as warnings; errors are StewardErrors', async () => {
    const res = await s.start(FOREVER, { name: 'second', bogus_option: 1 } as never);
    assert.equal(res.processes[0]?.name, 'second');
    assert.match(res.warnings.join('\n'), /unknown option "bogus_option"/);
    await assert.rejects(s.start({ script: 'no-such-script.js' }), (e: unknown) => {
      assert.ok(e instanceof StewardError);
      assert.equal(e.code, 'E_SCRIPT_NOT_FOUND');
      return true;
    });
    await assert.rejects(s.describe('nope'), /not found/);
    await assert.rejects(s.start({ script: FOREVER, instances: 'lots' }), (e: unknown) => {
      assert.ok(e instanceof StewardError);
      assert.equal(e.code, 'E_CONFIG');
      return true;
    });
    assert.deepEqual(await s.delete('second'), [1]);
  });

  it('events: a stream of lifecycle events (restart → stop, exit, start, online)', async () => {
    const events = await s.events();
    const seen: ProcessEvent[] = [];
    events.on('data', (e) => seen.push(e));
    await s.restart('api');
    await waitFor(() => seen.some((e) => e.name === 'api' && e.event === 'online'), 'online event');
    assert.ok(seen.every((e) => typeof e.at === 'number' && e.pm_id === 0));
    assert.ok(seen.some((e) => e.event === 'exit' || e.event === 'stop'));
    events.close();
    assert.equal(events.closed, true);
  });

  it('logs: live lines of the chosen apps, as an async iterator', async () => {
    const logs = await s.logs({ targets: ['chatty'] });
    await s.start({ script: LOGGER, name: 'chatty', env: { COUNT: 3 } });
    const lines: LogLine[] = [];
    for await (const l of logs) {
      lines.push(l);
      const out = lines
        .filter((x) => x.type === 'out')
        .map((x) => x.data)
        .join('');
      if (out.includes('line 00000003') && lines.some((x) => x.type === 'err' && x.data.includes('done')))
        break;
    }
    assert.equal(logs.closed, true, 'leaving the loop closes the stream');
    assert.ok(lines.every((l) => l.name === 'chatty'));
    assert.match(
      lines
        .filter((l) => l.type === 'out')
        .map((l) => l.data)
        .join(''),
      /line 00000003/,
    );
  });

  it('stop, reload, ecosystem files, save, and disconnect', async () => {
    assert.deepEqual(await s.stop('api'), [0]);
    assert.equal((await s.list()).find((p) => p.name === 'api')?.status, 'stopped');
    assert.deepEqual(await s.reload('api'), [0]);
    const dir = tmpDir();
    writeFileSync(
      join(dir, 'ecosystem.config.js'),
      `module.exports = { apps: [{ name: 'eco', script: ${JSON.stringify(FOREVER)}, env_production: { MODE: 'prod' } }] };\n`,
    );
    const res = await s.start('ecosystem.config.js', {}, { cwd: dir, env: 'production' });
    assert.deepEqual(
      res.processes.map((p) => p.name),
      ['eco'],
    );
    assert.equal((await s.describe('eco'))[0]?.pm2_env.env.MODE, 'prod');
    assert.equal((await s.save()).count, 3);
    const other = await connect({ home: home.dir, autostart: false });
    const stream = await other.events();
    other.disconnect();
    await waitFor(() => stream.closed, 'stream closed by disconnect');
  });
});

describe('API: PM2-compatible facade', () => {
  const home = new Home();
  const saved = process.env.STEWARD_HOME;
  before(() => {
    process.env.STEWARD_HOME = home.dir;
  });
  after(async () => {
    pm2.disconnect();
    process.env.STEWARD_HOME = saved;
    await home.cleanup();
  });

  const call = <T>(fn: (cb: (err: Error | null, v?: T) => void) => void) =>
    new Promise<T | undefined>((resolve, reject) => fn((err, v) => (err ? reject(err) : resolve(v))));

  it('connect, start, list, describe, restart, stop, delete with callbacks', async () => {
    await call((cb) => pm2.connect(cb));
    const started = await call<Array<{ name: string; pm2_env: { status: string } }>>((cb) =>
      pm2.start({ script: FOREVER, name: 'legacy' }, cb),
    );
    assert.deepEqual(
      started?.map((p) => [p.name, p.pm2_env.status]),
      [['legacy', 'online']],
    );
    const list = await call<Array<{ name: string }>>((cb) => pm2.list(cb));
    assert.deepEqual(
      list?.map((p) => p.name),
      ['legacy'],
    );
    assert.equal((await call<unknown[]>((cb) => pm2.describe('legacy', cb)))?.length, 1);
    const restarted = await call<Array<{ pm2_env: { restart_time: number } }>>((cb) =>
      pm2.restart('legacy', cb),
    );
    assert.equal(restarted?.[0]?.pm2_env.restart_time, 1);
    await call((cb) => pm2.stop('legacy', cb));
    const deleted = await call<Array<{ name: string }>>((cb) => pm2.delete('legacy', cb));
    assert.deepEqual(
      deleted?.map((p) => p.name),
      ['legacy'],
    );
    await assert.rejects(
      call((cb) => pm2.stop('legacy', cb)),
      /not found/,
    );
  });

  it('launchBus: log:out, log:err and process:event packets in PM2 shape', async () => {
    const bus = (await call<Bus>((cb) => pm2.launchBus(cb))) as Bus;
    const out: string[] = [];
    const err: string[] = [];
    const events: string[] = [];
    bus.on('log:out', (p) => out.push(`${p.process.name}:${p.data}`));
    bus.on('log:err', (p) => err.push(p.data));
    bus.on('process:event', (p) => events.push(`${p.process.name}:${p.event}`));
    await call((cb) => pm2.start(LOGGER, { name: 'bus-app', env: { COUNT: '2' } }, cb));
    await waitFor(() => err.join('').includes('done') && out.join('').includes('00000002'), 'log packets');
    assert.match(out.join(''), /^bus-app:line 00000001/);
    assert.ok(events.includes('bus-app:online'), events.join(' '));
    pm2.disconnectBus();
  });
});

describe('API: as a package, from CommonJS and ESM scripts', () => {
  const home = new Home();
  const dir = tmpDir();
  before(() => {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(ROOT, join(dir, 'node_modules/steward'));
  });
  after(() => home.cleanup());

  it("a PM2 script works with require('steward') instead of require('pm2')", async () => {
    writeFileSync(
      join(dir, 'pm2-script.cjs'),
      `const pm2 = require('steward');
pm2.connect((err) => {
  if (err) throw err;
  pm2.start({ script: ${JSON.stringify(FOREVER)}, name: 'from-cjs' }, (err) => {
    if (err) throw err;
    pm2.list((err, list) => {
      console.log(JSON.stringify(list.map((p) => [p.name, p.pm2_env.status])));
      pm2.disconnect();
    });
  });
});
`,
    );
    const r = await run(process.execPath, ['pm2-script.cjs'], home.env, dir);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), [['from-cjs', 'online']]);
  });

  it("ESM: import { connect } from 'steward' and import pm2 from 'steward/pm2-compat'", async () => {
    writeFileSync(
      join(dir, 'typed.mjs'),
      `import { connect } from 'steward';
import pm2 from 'steward/pm2-compat';
const s = await connect();
await s.delete('from-cjs');
console.log(JSON.stringify((await s.list()).length));
s.disconnect();
pm2.connect(() => pm2.list((err, l) => { console.log(l.length); pm2.disconnect(); }));
`,
    );
    const r = await run(process.execPath, ['typed.mjs'], home.env, dir);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['0', '0']);
    assert.deepEqual(markedPids(home.dir), []);
  });

  it('the published declarations type-check a consumer (package exports, strict)', async () => {
    writeFileSync(
      join(dir, 'consumer.ts'),
      `import { connect, type ProcessInfo } from 'steward';
import pm2 from 'steward/pm2-compat';
const s = await connect();
const list: ProcessInfo[] = await s.list();
await s.start({ script: 'a.js', name: 'a', instances: 'max' });
pm2.launchBus((_err, bus) => bus?.on('log:out', (p) => console.log(p.process.name, p.data)));
console.log(list.length);
`,
    );
    writeFileSync(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          target: 'ES2022',
          module: 'NodeNext',
          moduleResolution: 'NodeNext',
          strict: true,
          exactOptionalPropertyTypes: true,
          noEmit: true,
          // valibot's declarations alone take seconds to check; the consumer's code is what matters
          skipLibCheck: true,
          types: ['node'],
          typeRoots: [join(ROOT, 'node_modules/@types')],
        },
        files: ['consumer.ts'],
      }),
    );
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    const r = await run(
      process.execPath,
      [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', dir],
      process.env,
      dir,
    );
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });
});
