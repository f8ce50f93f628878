import assert from 'node:assert/strict';
import { basename } from 'node:path';
import { describe, it } from 'node:test';
import { EXPORTERS } from '../../../src/export/index.js';
import { CORPUS, label, loadApps } from './support.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const list = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter(isObj) : []);
const text = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
const ns = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;

/**
 * The rules of HashiCorp's job specification (developer.hashicorp.com/nomad/docs/job-specification
 * and the JSON job format of the HTTP API) that the exporter relies on, checked on the parsed JSON.
 */
function checkJob(doc: unknown, where: string): void {
  assert.ok(isObj(doc) && isObj(doc.Job), `${where}: a { "Job": … } document`);
  const job = doc.Job;
  assert.match(String(job.ID), /^[A-Za-z0-9_.-]+$/, `${where}: job ID`);
  assert.ok(['service', 'batch', 'system', 'sysbatch'].includes(String(job.Type)), `${where}: job type`);
  assert.ok(Array.isArray(job.Datacenters) && job.Datacenters.length > 0, `${where}: datacenters`);
  if (job.Periodic !== undefined) {
    assert.equal(job.Type, 'batch', `${where}: periodic jobs are batch jobs`);
    assert.ok(
      isObj(job.Periodic) && job.Periodic.SpecType === 'cron' && typeof job.Periodic.Spec === 'string',
    );
  }
  assert.ok(
    isObj(job.Meta) && Object.values(job.Meta).every((v) => typeof v === 'string'),
    `${where}: meta is strings`,
  );
  const groups = list(job.TaskGroups);
  assert.ok(groups.length > 0, `${where}: task groups`);
  const names = new Set<string>();
  for (const g of groups) {
    const at = `${where}: group ${String(g.Name)}`;
    assert.ok(typeof g.Name === 'string' && !names.has(g.Name), `${at}: unique name`);
    names.add(g.Name);
    assert.ok(Number.isInteger(g.Count) && (g.Count as number) >= 0, `${at}: count`);
    const rp = g.RestartPolicy;
    assert.ok(isObj(rp) && ns(rp.Attempts) && ns(rp.Interval) && ns(rp.Delay), `${at}: restart`);
    assert.ok(['fail', 'delay'].includes(String(rp.Mode)), `${at}: restart mode`);
    if (job.Type === 'batch') assert.equal(g.ReschedulePolicy, undefined, `${at}: no reschedule block here`);
    if (isObj(g.ReschedulePolicy) && g.ReschedulePolicy.DelayFunction !== undefined)
      assert.ok(['constant', 'exponential', 'fibonacci'].includes(text(g.ReschedulePolicy.DelayFunction)));
    const labels = new Set(list(list(g.Networks)[0]?.ReservedPorts).map((p) => String(p.Label)));
    for (const s of list(g.Services)) {
      if (s.PortLabel !== undefined)
        assert.ok(labels.has(text(s.PortLabel)), `${at}: service port ${text(s.PortLabel)}`);
      for (const c of list(s.Checks)) {
        assert.ok(['http', 'tcp', 'script', 'grpc'].includes(String(c.Type)), `${at}: check type`);
        assert.ok(ns(c.Interval) && ns(c.Timeout) && (c.Interval as number) > 0, `${at}: check interval`);
        if (c.Type === 'http') assert.match(String(c.Path), /^\//, `${at}: check path`);
        if (c.Type !== 'script')
          assert.ok(labels.has(String(c.PortLabel)), `${at}: check port ${String(c.PortLabel)}`);
      }
    }
    const tasks = list(g.Tasks);
    assert.equal(tasks.length, 1, `${at}: one task`);
    for (const t of tasks) {
      assert.ok(['raw_exec', 'exec', 'docker'].includes(String(t.Driver)), `${at}: driver`);
      assert.ok(
        isObj(t.Config) && typeof t.Config.command === 'string' && t.Config.command !== '',
        `${at}: command`,
      );
      if (t.Driver === 'docker') assert.equal(typeof t.Config.image, 'string', `${at}: image`);
      assert.match(String(t.KillSignal), /^SIG[A-Z0-9]+$/, `${at}: kill_signal`);
      assert.ok(ns(t.KillTimeout), `${at}: kill_timeout in ns`);
      assert.ok(isObj(t.Env) && Object.values(t.Env).every((v) => typeof v === 'string'), `${at}: env`);
      assert.ok(
        isObj(t.Resources) &&
          Number.isInteger(t.Resources.MemoryMB) &&
          (t.Resources.MemoryMB as number) >= 10,
      );
    }
  }
}

describe('nomad output follows the job specification (JSON job format)', () => {
  for (const file of CORPUS) {
    const variants = [
      { name: 'raw_exec', opts: {} },
      { name: 'exec', opts: { driver: 'exec' as const } },
      { name: 'docker', opts: { image: 'registry.example.com/app:1' } },
    ];
    for (const v of variants) {
      it(`${label(file)} (${v.name})`, async () => {
        const apps = await loadApps(file);
        const res = EXPORTERS.nomad.run(apps, { file: basename(file), ...v.opts });
        for (const f of res.files) {
          const task = list(list((JSON.parse(f.content) as { Job: Obj }).Job.TaskGroups)[0]?.Tasks)[0];
          assert.equal(task?.Driver, v.name);
        }
        for (const f of res.files) checkJob(JSON.parse(f.content), `${label(file)} ${f.name}`);
        // Every app is a group of some job.
        const groups = res.files.flatMap((f) => list((JSON.parse(f.content) as { Job: Obj }).Job.TaskGroups));
        assert.deepEqual(groups.map((g) => g.Name).sort(), apps.map((a) => a.config.name).sort());
      });
    }
  }

  it('examples: counts, restart and reschedule, signals, checks, periodic', async () => {
    const apps = await loadApps(CORPUS[0] ?? '');
    const res = EXPORTERS.nomad.run(apps, { file: 'ecosystem.config.js', maxInstances: 4 });
    assert.deepEqual(
      res.files.map((f) => f.name),
      ['default.nomad.json', 'default-py-worker.nomad.json'],
    );
    const [svc, cron] = res.files.map((f) => (JSON.parse(f.content) as { Job: Obj }).Job);
    const g = (name: string) => list(svc?.TaskGroups).find((x) => x.Name === name) ?? {};
    assert.equal(g('cluster').Count, 4);
    assert.equal(g('py-server').Count, 2);
    assert.deepEqual(g('py-server').RestartPolicy, { Attempts: 10, Interval: 300e9, Delay: 0, Mode: 'fail' });
    assert.equal((g('cluster').ReschedulePolicy as Obj).DelayFunction, 'exponential');
    const hello = list(g('hello').Tasks)[0] ?? {};
    assert.equal(hello.KillSignal, 'SIGINT');
    assert.equal(hello.KillTimeout, 5e9);
    assert.equal((hello.Resources as Obj).MemoryMB, 200);
    assert.equal(list(list(g('hello').Services)[0]?.Checks)[0]?.Type, 'http');
    assert.deepEqual(cron?.Periodic, {
      Enabled: true,
      SpecType: 'cron',
      Spec: '0 3 * * *',
      ProhibitOverlap: true,
    });
    assert.equal(cron?.Type, 'batch');
  });
});
