import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runInNewContext } from 'node:vm';
import { appNames, displayRepo, mirrorRef, readDeploySection } from '../../../src/deploy/section.js';
import { throwsCode } from '../support.js';

/** The production section of PM2's documentation, unchanged. */
const PM2_DOCS = {
  production: {
    key: '/path/to/some.pem',
    user: 'ubuntu',
    host: ['192.168.0.13', '192.168.0.14', '192.168.0.15'],
    ref: 'origin/master',
    repo: 'git@github.com:Username/repository.git',
    path: '/var/www/my-repository',
    'post-deploy': 'npm install && pm2 reload ecosystem.config.js --env production',
    'pre-setup': 'apt-get install git ; ls -la',
    'post-setup': 'ls -la',
    'pre-deploy-local': "echo 'This is a local executed command'",
    ssh_options: 'StrictHostKeyChecking=no',
    env: { NODE_ENV: 'production', PORT: 3000 },
  },
};

describe('readDeploySection', () => {
  it("reads PM2's documented section unchanged", () => {
    const { section, warnings } = readDeploySection({ apps: [], deploy: PM2_DOCS }, 'production', 'eco.js');
    assert.deepEqual(warnings, []);
    assert.deepEqual(section.hosts, [
      { host: '192.168.0.13', user: 'ubuntu', port: undefined },
      { host: '192.168.0.14', user: 'ubuntu', port: undefined },
      { host: '192.168.0.15', user: 'ubuntu', port: undefined },
    ]);
    assert.equal(section.ref, 'master');
    assert.equal(section.key, '/path/to/some.pem');
    assert.deepEqual(section.sshOptions, ['StrictHostKeyChecking=no']);
    assert.deepEqual(section.env, { NODE_ENV: 'production', PORT: '3000' });
    assert.equal(section.hooks['post-deploy'], PM2_DOCS.production['post-deploy']);
    assert.equal(section.keepReleases, 5);
    assert.equal(section.healthWindowMs, 5000);
  });

  it("takes the port and user of ssh:// hosts over the section's", () => {
    const { section } = readDeploySection(
      {
        deploy: {
          prod: { host: ['ssh://deploy@a:2222', 'b'], user: 'ops', port: 22, repo: 'r', path: '~/app/' },
        },
      },
      'prod',
      'f',
    );
    assert.deepEqual(section.hosts, [
      { host: 'a', user: 'deploy', port: 2222 },
      { host: 'b', user: 'ops', port: 22 },
    ]);
    assert.equal(section.path, '~/app');
    assert.equal(section.ref, 'HEAD');
  });

  it('names the missing section and the ones the file has', () => {
    throwsCode(
      () => readDeploySection({ deploy: PM2_DOCS }, 'staging', 'eco.js'),
      'E_CONFIG',
      /^eco\.js: no deploy\.staging section$/,
    );
    const e = throwsCode(() => readDeploySection({ apps: [] }, 'production', 'eco.js'), 'E_CONFIG');
    assert.match(e.hint ?? '', /steward init/);
  });

  it('reports every bad key at once, each by its path', () => {
    const e = throwsCode(
      () =>
        readDeploySection(
          {
            deploy: {
              production: {
                host: 42,
                port: 'x',
                path: 'relative/dir',
                env: { 'BAD-NAME': '1', OBJ: {} },
                keep_releases: 0,
                shared_dirs: ['../escape'],
                health_window: 'soon',
                'post-deploy': 7,
              },
            },
          },
          'production',
          'eco.js',
        ),
      'E_CONFIG',
    );
    const lines = e.message.split('\n');
    for (const key of [
      'host',
      'port',
      'repo',
      'path',
      'env.BAD-NAME',
      'env.OBJ',
      'keep_releases',
      'shared_dirs',
      'health_window',
      'post-deploy',
    ])
      assert.ok(
        lines.some((l) => l.startsWith(`eco.js: deploy.production.${key}: `)),
        `no line for ${key} in:\n${e.message}`,
      );
  });

  it('warns about unknown keys instead of failing', () => {
    const { warnings } = readDeploySection(
      { deploy: { p: { host: 'h', repo: 'r', path: '/p', colour: 'blue' } } },
      'p',
      'f',
    );
    assert.deepEqual(warnings, ['f: deploy.p.colour: unknown key, ignored']);
  });

  it('joins an array of hook commands with &&', () => {
    const { section } = readDeploySection(
      { deploy: { p: { host: 'h', repo: 'r', path: '/p', 'pre-deploy': ['npm ci', 'npm test'] } } },
      'p',
      'f',
    );
    assert.equal(section.hooks['pre-deploy'], 'npm ci && npm test');
  });
});

describe('mirrorRef, displayRepo and appNames', () => {
  it('masks a token in an https repository URL, and nothing else', () => {
    assert.equal(
      displayRepo('https://bot:ghp_s3cret@github.com/me/app.git'),
      'https://bot:***@github.com/me/app.git',
    );
    assert.equal(displayRepo('git@github.com:me/app.git'), 'git@github.com:me/app.git');
    assert.equal(displayRepo('ssh://git@host:2222/app.git'), 'ssh://git@host:2222/app.git');
  });

  it('maps origin/<branch> to the branch of the mirror, and keeps tags and commits', () => {
    assert.equal(mirrorRef('origin/main'), 'main');
    assert.equal(mirrorRef('refs/remotes/origin/release/1.x'), 'release/1.x');
    assert.equal(mirrorRef('v1.2.0'), 'v1.2.0');
    assert.equal(mirrorRef('0a1b2c3'), '0a1b2c3');
  });

  it("names the file's apps as start would", () => {
    assert.deepEqual(appNames({ apps: [{ name: 'api', script: 'a.js' }, { script: './worker.js' }] }), [
      'api',
      'worker',
    ]);
    assert.deepEqual(appNames([{ script: 'x.py' }]), ['x']);
  });
});

describe("init's commented deploy section", () => {
  it('is a valid section once uncommented (its comments stay comments)', async () => {
    const { STARTER } = await import('../../../src/cli/commands/config.js');
    const lines = STARTER.split('\n');
    const start = lines.findIndex((l) => l.trim() === '// deploy: {');
    assert.ok(start > 0, 'init writes a deploy section');
    // Uncomment the block (`  // deploy: {` … `  // },`), including its optional keys.
    const end = lines.findIndex((l, i) => i > start && l === '  // },');
    const text = lines
      .map((l, i) => (i >= start && i <= end ? l.replace(/^(\s*)\/\/ (\s*)(\/\/ )?/, '$1$2') : l))
      .join('\n');
    const mod = { exports: {} as unknown };
    runInNewContext(text, { module: mod, __dirname: '/srv/app' });
    // JSON round trip: arrays made in another vm context are not deepStrictEqual to ours.
    const value = JSON.parse(JSON.stringify(mod.exports)) as unknown;
    const { section, warnings } = readDeploySection(value, 'production', 'ecosystem.config.js');
    assert.deepEqual(warnings, []);
    assert.equal(section.ref, 'main');
    assert.deepEqual(section.sharedFiles, ['.env']);
    assert.match(section.hooks['post-deploy'] ?? '', /steward startOrReload/);
  });
});
