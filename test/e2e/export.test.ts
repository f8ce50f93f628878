import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import YAML from 'yaml';
import { FIXTURES, Home, tmpDir } from '../helpers.js';

describe('steward export (the real CLI)', () => {
  const home = new Home();
  const dir = tmpDir();
  after(() => home.cleanup());

  it('--help lists the targets', async () => {
    const r = await home.ok(['export', '--help']);
    for (const t of ['kubernetes', 'nomad', 'systemd']) assert.ok(r.stdout.includes(t), r.stdout);
  });

  it('kubernetes -o dir writes one YAML file per app, the Secret owner-only', async () => {
    const out = join(dir, 'k8s');
    const r = await home.ok([
      'export',
      'kubernetes',
      'examples/ecosystem.config.js',
      '--env',
      'production',
      '-o',
      out,
    ]);
    assert.deepEqual(readdirSync(out).sort(), [
      'cluster.yaml',
      'hello.yaml',
      'py-server.yaml',
      'py-worker.yaml',
    ]);
    const kinds = YAML.parseAllDocuments(readFileSync(join(out, 'hello.yaml'), 'utf8')).map(
      (d) => (d.toJS() as { kind: string }).kind,
    );
    assert.deepEqual(kinds, ['Secret', 'Deployment', 'Service']);
    assert.equal(statSync(join(out, 'hello.yaml')).mode & 0o777, 0o600);
    assert.equal(statSync(join(out, 'cluster.yaml')).mode & 0o777, 0o644);
    // The terminal gets file names, never a secret value.
    assert.ok(!`${r.stdout}${r.stderr}`.includes('change-me'), r.stdout + r.stderr);
  });

  it('prints to stdout without -o: a Nomad job that parses back', async () => {
    const r = await home.ok(['export', 'nomad', 'examples/ecosystem.config.js', '--only', 'hello']);
    const doc = JSON.parse(r.stdout) as { Job: { TaskGroups: Array<{ Name: string }> } };
    assert.deepEqual(
      doc.Job.TaskGroups.map((g) => g.Name),
      ['hello'],
    );
  });

  it('a broken file exits non-zero with the same error as start, and writes nothing', async () => {
    for (const broken of ['several-errors.yaml', 'syntax-error.json', 'missing-script.json']) {
      const file = join(FIXTURES, 'ecosystems/broken', broken);
      const out = join(dir, `broken-${broken}`);
      const exp = await home.run(['export', 'systemd', file, '-o', out]);
      const start = await home.run(['start', file]);
      assert.notEqual(exp.code, 0, exp.stdout);
      assert.equal(exp.code, start.code);
      assert.equal(exp.stderr, start.stderr);
      assert.ok(exp.stderr.includes('error:'), exp.stderr);
      assert.equal(existsSync(out), false);
    }
  });

  it('an unknown target is a usage error', async () => {
    const r = await home.run(['export', 'swarm', 'examples/ecosystem.config.js']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /unknown target "swarm"/);
  });
});
