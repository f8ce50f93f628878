import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import { EXPORTERS, TARGETS } from '../../../src/export/index.js';
import { FIXTURES } from '../../helpers.js';
import { CORPUS, MACHINE_DEPENDENT, label, loadApps, portable } from './support.js';

const GOLDEN = join(FIXTURES, 'golden/export');

/** Every file of one export, each after a `==> name <==` line (as `tail` prints several files). */
async function render(target: (typeof TARGETS)[number], file: string, envName?: string): Promise<string> {
  const apps = await loadApps(file, envName);
  const res = EXPORTERS[target].run(apps, { file: basename(file), envName, maxInstances: 3 });
  return portable(res.files.map((f) => `==> ${f.name} <==\n${f.content}`).join('\n'));
}

describe('export golden files', () => {
  for (const target of TARGETS) {
    for (const file of CORPUS.filter((f) => !MACHINE_DEPENDENT.has(basename(f)))) {
      it(`${target}: ${basename(file)}`, async () => {
        const name = label(file).startsWith('examples/') ? `examples-${basename(file)}` : basename(file);
        const golden = join(GOLDEN, target, `${name}.txt`);
        const text = await render(target, file);
        // Regenerate after a deliberate format change with STEWARD_UPDATE_GOLDEN=1, and review the diff.
        if (process.env.STEWARD_UPDATE_GOLDEN === '1' || !existsSync(golden)) {
          if (process.env.STEWARD_UPDATE_GOLDEN !== '1') assert.fail(`no golden file ${golden}`);
          mkdirSync(join(GOLDEN, target), { recursive: true });
          writeFileSync(golden, text);
        }
        assert.equal(text, readFileSync(golden, 'utf8'));
      });
    }
  }

  it('examples with --env production (secrets), --runtime and --image', async () => {
    const file = CORPUS[0] ?? '';
    const apps = await loadApps(file, 'production');
    const opts = {
      file: 'examples/ecosystem.config.js',
      envName: 'production',
      image: 'registry.example.com/shop:1.0',
    };
    const text = portable(
      [
        ...EXPORTERS.kubernetes.run(apps, { ...opts, runtime: true }).files,
        ...EXPORTERS.nomad.run(apps, opts).files,
        ...EXPORTERS.systemd.run(apps, { ...opts, user: true }).files,
      ]
        .map((f) => `==> ${f.name} <==\n${f.content}`)
        .join('\n'),
    );
    const golden = join(GOLDEN, 'examples-production.txt');
    if (process.env.STEWARD_UPDATE_GOLDEN === '1') writeFileSync(golden, text);
    assert.equal(text, readFileSync(golden, 'utf8'));
  });
});
