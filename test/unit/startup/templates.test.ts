import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolvePlatform } from '../../../src/startup/platforms.js';
import { renderService, shWord, systemdWord, type ServiceSpec } from '../../../src/startup/templates.js';
import { throwsCode } from '../support.js';

const spec = (over: Partial<ServiceSpec> = {}): ServiceSpec => ({
  platform: 'systemd',
  serviceName: 'steward-app',
  user: 'app',
  home: '/home/app',
  stewardHome: '/home/app/.steward',
  nodePath: '/home/app/.nvm/versions/node/v20.19.0/bin/node',
  nodeFlags: ['--max-semi-space-size=1'],
  entry: '/opt/steward/dist/src/startup/service.js',
  path: '/home/app/.nvm/versions/node/v20.19.0/bin:/usr/bin:/bin',
  waitIp: false,
  version: '1.2.3',
  ...over,
});

describe('startup: platforms', () => {
  it('maps PM2 platform names and aliases, detects from PATH in PM2 order', () => {
    assert.equal(
      resolvePlatform('ubuntu', () => false),
      'systemd',
    );
    assert.equal(
      resolvePlatform('macos', () => false),
      'launchd',
    );
    assert.equal(
      resolvePlatform('alpine', () => false),
      'openrc',
    );
    assert.equal(
      resolvePlatform(undefined, (c) => c === 'rc-update' || c === 'launchctl'),
      'openrc',
    );
    assert.equal(
      resolvePlatform(undefined, (c) => c === 'systemctl' || c === 'rc-update'),
      'systemd',
    );
  });

  it('says what it does not support, and when it cannot tell', () => {
    throwsCode(() => resolvePlatform('upstart', () => true), 'E_USAGE', /upstart is not supported/);
    throwsCode(() => resolvePlatform('windows', () => true), 'E_USAGE', /unknown init system "windows"/);
    throwsCode(() => resolvePlatform(undefined, () => false), 'E_USAGE', /cannot tell/);
  });
});

describe('startup: systemd unit', () => {
  it('runs the daemon in the foreground as the right user, with PATH and STEWARD_HOME', () => {
    const f = renderService(spec(), '/etc/systemd/system');
    assert.equal(f.path, '/etc/systemd/system/steward-app.service');
    assert.equal(f.mode, 0o644);
    const lines = f.content.split('\n');
    for (const l of [
      'Type=notify',
      'NotifyAccess=all',
      'User=app',
      'Environment=PATH=/home/app/.nvm/versions/node/v20.19.0/bin:/usr/bin:/bin',
      'Environment=STEWARD_HOME=/home/app/.steward',
      'ExecStart=/home/app/.nvm/versions/node/v20.19.0/bin/node --max-semi-space-size=1 /opt/steward/dist/src/startup/service.js',
      'KillMode=mixed',
      'Restart=on-failure',
      'After=network.target',
      'WantedBy=multi-user.target',
    ]) {
      assert.ok(lines.includes(l), `missing ${l}\n${f.content}`);
    }
    assert.ok(!f.content.includes('PIDFile'), 'no PIDFile: the daemon is the main process');
    assert.deepEqual(f.enable, [
      ['systemctl', 'daemon-reload'],
      ['systemctl', 'enable', 'steward-app.service'],
    ]);
    assert.deepEqual(f.disable, [['systemctl', 'disable', 'steward-app.service']]);
  });

  it('--wait-ip waits for network-online.target', () => {
    const c = renderService(spec({ waitIp: true }), '/x').content;
    assert.match(c, /^Wants=network-online\.target$/m);
    assert.match(c, /^After=network-online\.target$/m);
  });

  it('quotes words with spaces and escapes systemd specifiers (%) and variables ($)', () => {
    assert.equal(systemdWord('/usr/bin/node', true), '/usr/bin/node');
    assert.equal(systemdWord('/opt/my app/x.js', true), '"/opt/my app/x.js"');
    assert.equal(systemdWord('/a%b/$HOME', true), '/a%%b/$$HOME');
    assert.equal(systemdWord('PATH=/a b:/c', false), '"PATH=/a b:/c"');
    assert.equal(systemdWord('say "hi"\\', false), '"say \\"hi\\"\\\\"');
    assert.equal(systemdWord('', true), '""');
  });
});

describe('startup: openrc and launchd', () => {
  it('openrc: supervise-daemon, command_user, exported PATH and STEWARD_HOME, executable', () => {
    const f = renderService(spec({ platform: 'openrc' }), '/etc/init.d');
    assert.equal(f.path, '/etc/init.d/steward-app');
    assert.equal(f.mode, 0o755);
    assert.match(f.content, /^#!\/sbin\/openrc-run$/m);
    assert.match(f.content, /^supervisor=supervise-daemon$/m);
    assert.match(f.content, /^command_user='app'$/m);
    assert.match(
      f.content,
      /^command_args="'--max-semi-space-size=1' '\/opt\/steward\/dist\/src\/startup\/service\.js'"$/m,
    );
    assert.match(f.content, /^export STEWARD_HOME='\/home\/app\/\.steward'$/m);
    assert.deepEqual(f.enable, [['rc-update', 'add', 'steward-app', 'default']]);
  });

  it('launchd: a user agent in ~/Library/LaunchAgents, XML-escaped, kept alive on crashes', () => {
    const f = renderService(
      spec({ platform: 'launchd', serviceName: 'steward.app', entry: '/opt/a&b/service.js' }),
      '/home/app/Library/LaunchAgents',
    );
    assert.equal(f.path, '/home/app/Library/LaunchAgents/steward.app.plist');
    assert.match(f.content, /<string>\/opt\/a&amp;b\/service\.js<\/string>/);
    assert.match(f.content, /<key>SuccessfulExit<\/key>\s*<false\/>/);
    assert.deepEqual(f.enable, [['launchctl', 'load', '-w', f.path]]);
  });

  it('shWord quotes single quotes', () => {
    assert.equal(shWord("it's"), `'it'\\''s'`);
  });
});
