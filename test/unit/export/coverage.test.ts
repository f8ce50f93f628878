import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OPTIONS } from '../../../src/config/options.js';
import { EXPORTERS, TARGETS, coverage, type ExportApp } from '../../../src/export/index.js';
import { CORPUS, label, loadApps } from './support.js';

/** The text every exporter writes for an app: all of its files (a Nomad job's header is in its Meta). */
function output(target: (typeof TARGETS)[number], app: ExportApp): string {
  return EXPORTERS[target]
    .run([app], { file: 'ecosystem.config.js', maxInstances: 2 })
    .files.map((f) =>
      target === 'nomad'
        ? (JSON.parse(f.content) as { Job: { Meta: Record<string, string> } }).Job.Meta['steward-export']
        : f.content,
    )
    .join('\n');
}

describe('every option is mapped or reported, for every target', () => {
  for (const target of TARGETS) {
    it(`${target}: the mapping table names every option of the option table`, () => {
      const c = coverage(EXPORTERS[target].rules);
      assert.deepEqual(c.missing, []);
      assert.equal(c.mapped.length + c.unmapped.length, OPTIONS.length);
      // For the closing note of issue 20: `mapped / reported`.
      process.stdout.write(
        `# coverage ${target}: ${c.mapped.length} mapped, ${c.unmapped.length} reported as unmapped, of ${OPTIONS.length}\n`,
      );
    });

    it(`${target}: an app that sets any unmapped option lists it in its header with why`, async () => {
      const [base] = await loadApps(CORPUS[1] ?? '');
      assert.ok(base);
      const rules = EXPORTERS[target].rules;
      for (const o of OPTIONS) {
        // The property: given any option (the value does not matter to the report), the output
        // either maps it (the table says how) or names it in the header with the table's reason.
        const app: ExportApp = { config: base.config, raw: { ...base.raw, [o.key]: true } };
        const text = output(target, app);
        const rule = rules[o.key];
        assert.ok(rule, o.key);
        if ('none' in rule)
          assert.ok(text.includes(`${o.key}: ${rule.none}`), `${target}: ${o.key} not reported`);
        else assert.ok(!text.includes(`- ${o.key}: ${'none' in rule ? '' : 'not known'}`), o.key);
      }
    });

    it(`${target}: an option unknown to the table is reported, never dropped`, async () => {
      const [base] = await loadApps(CORPUS[1] ?? '');
      assert.ok(base);
      const text = output(target, { config: base.config, raw: { ...base.raw, some_future_option: 1 } });
      assert.ok(text.includes('some_future_option: not known to the exporter'), text);
    });

    it(`${target}: every option set in the corpus is mapped or reported`, async () => {
      for (const file of CORPUS) {
        for (const app of await loadApps(file)) {
          const text = output(target, app);
          for (const [k, v] of Object.entries(app.raw)) {
            if (v === undefined || /^env_/.test(k)) continue;
            const rule = EXPORTERS[target].rules[k];
            assert.ok(rule, `${label(file)}: ${k} has no rule for ${target}`);
            if ('none' in rule)
              assert.ok(text.includes(`- ${k}: `), `${label(file)} ${app.config.name}: ${k}`);
          }
        }
      }
    });
  }
});

describe('secrets', () => {
  it('secret-looking values are referenced, never inlined in the workload', async () => {
    const [hello] = await loadApps(CORPUS[0] ?? '', 'production');
    assert.ok(hello && hello.config.env.SESSION_SECRET === 'change-me');
    const k8s = EXPORTERS.kubernetes.run([hello], { file: 'e.js' }).files[0]?.content ?? '';
    // The value is in the Secret only (stringData), once.
    assert.equal(k8s.split('change-me').length - 1, 1);
    assert.match(k8s, /kind: Secret[\s\S]*stringData:\n {2}SESSION_SECRET: change-me/);
    assert.match(k8s, /secretKeyRef:\n\s+name: hello-env\n\s+key: SESSION_SECRET/);
    const nomad = EXPORTERS.nomad
      .run([hello], { file: 'e.js' })
      .files.map((f) => f.content)
      .join('');
    assert.ok(!nomad.includes('change-me'), nomad);
    assert.ok(nomad.includes('nomadVar'));
    const sd = EXPORTERS.systemd.run([hello], { file: 'e.js' }).files;
    assert.ok(!sd.find((f) => f.name === 'hello.service')?.content.includes('change-me'));
    assert.deepEqual(
      sd.filter((f) => f.secret).map((f) => f.name),
      ['hello.env'],
    );
  });
});
