import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { Deployment } from 'kubernetes-models/apps/v1';
import { CronJob } from 'kubernetes-models/batch/v1';
import { Secret, Service } from 'kubernetes-models/v1';
import YAML from 'yaml';
import { which } from '../../../src/config/resolve-script.js';
import { EXPORTERS } from '../../../src/export/index.js';
import { kubernetesObjects, type K8sObject } from '../../../src/export/kubernetes.js';
import { tmpDir } from '../../helpers.js';
import { CORPUS, label, loadApps } from './support.js';

/** Validates one object against the Kubernetes OpenAPI schema of its kind (kubernetes-models). */
function validate(o: K8sObject): void {
  // The constructors take their own typed shapes; the exporter's objects are plain data checked here.
  const data = o as never;
  switch (o.kind) {
    case 'Deployment':
      return new Deployment(data).validate();
    case 'Service':
      return new Service(data).validate();
    case 'Secret':
      return new Secret(data).validate();
    case 'CronJob':
      return new CronJob(data).validate();
    default:
      assert.fail(`no schema for kind ${o.kind}`);
  }
}

const variants = [
  { name: 'plain', opts: {} },
  { name: '--runtime --image', opts: { runtime: true, image: 'registry.example.com/app:1' } },
];

describe('kubernetes output validates against the Kubernetes OpenAPI schemas', () => {
  for (const file of CORPUS) {
    for (const v of variants) {
      it(`${label(file)} (${v.name})`, async () => {
        for (const envName of [undefined, 'production']) {
          const apps = await loadApps(file, envName);
          let n = 0;
          for (const app of apps) {
            const { objects } = kubernetesObjects(app, { file: basename(file), envName, ...v.opts });
            assert.ok(objects.length > 0, app.config.name);
            for (const o of objects) {
              assert.doesNotThrow(() => validate(o), `${o.kind} ${o.metadata.name}`);
              n += 1;
            }
          }
          assert.ok(n >= apps.length);
        }
      });
    }
  }

  it('the printed YAML parses back to the same objects', async () => {
    const apps = await loadApps(CORPUS[0] ?? '', 'production');
    const res = EXPORTERS.kubernetes.run(apps, { file: 'ecosystem.config.js', envName: 'production' });
    const docs = res.files.flatMap((f) =>
      YAML.parseAllDocuments(f.content).map((d) => d.toJS() as K8sObject),
    );
    const objects = apps.flatMap(
      (a) => kubernetesObjects(a, { file: 'ecosystem.config.js', envName: 'production' }).objects,
    );
    assert.deepEqual(docs, objects);
    assert.deepEqual(
      docs.map((d) => d.kind),
      ['Secret', 'Deployment', 'Service', 'Deployment', 'Service', 'Deployment', 'Service', 'CronJob'],
    );
  });
});

function run(file: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(file, args, (err, _stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr });
    });
  });
}

const analyze = which('systemd-analyze', process.env.PATH);

describe('systemd output passes systemd-analyze verify', () => {
  const dir = tmpDir();
  for (const file of CORPUS) {
    for (const user of [false, true]) {
      it(`${label(file)}${user ? ' (--user)' : ''}`, async (t) => {
        if (!analyze)
          return t.skip('systemd-analyze is not installed (Debian package "systemd"; .ci/run installs it)');
        const out = join(dir, `${basename(file)}${user ? '-user' : ''}`);
        mkdirSync(out, { recursive: true });
        const apps = await loadApps(file);
        const res = EXPORTERS.systemd.run(apps, { file: basename(file), user });
        const units: string[] = [];
        for (const f of res.files) {
          writeFileSync(join(out, f.name), f.content);
          if (!f.name.endsWith('.env')) units.push(join(out, f.name));
        }
        // A user manager is often missing (CI, containers): user units are checked as unit files by the system one.
        const args = ['verify', ...units];
        const r = await run(analyze, args);
        if (
          r.code !== 0 &&
          /Failed to (connect|initialize)|not been booted|No such file or directory.*bus/i.test(r.stderr)
        )
          return t.skip(`systemd-analyze verify cannot run in this sandbox: ${r.stderr.trim()}`);
        assert.equal(r.code, 0, `${r.stderr}\n${res.files.map((f) => f.content).join('\n')}`);
        // Warnings about our units (unknown keys, bad values) fail the test too.
        assert.ok(!units.some((u) => r.stderr.includes(basename(u))), r.stderr);
      });
    }
  }
});
