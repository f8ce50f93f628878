import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  loadNotifySettings,
  maskedNotifySettings,
  updateNotifySetting,
} from '../../../../src/daemon/notify/settings.js';
import { signature } from '../../../../src/daemon/notify/channels/webhook.js';
import { tmpDir } from '../../../helpers.js';
import { throwsCode } from '../../support.js';

describe('notify settings', () => {
  it('saves a checked value 0600 and refuses a bad one without writing', () => {
    const path = join(tmpDir(), 'notify.json');
    throwsCode(() => updateNotifySetting(path, {}, 'notify.slack', 'ftp://x'), 'E_USAGE');
    throwsCode(() => updateNotifySetting(path, {}, 'notify.nope', 'x'), 'E_USAGE');
    throwsCode(() => updateNotifySetting(path, {}, 'notify.events', 'errored,bogus'), 'E_USAGE');
    throwsCode(() => updateNotifySetting(path, {}, 'notify.window', '10ms'), 'E_USAGE');
    assert.equal(existsSync(path), false);
    const s = updateNotifySetting(path, {}, 'notify.events', 'errored, crash_loop');
    assert.deepEqual(s.events, ['errored', 'crash_loop']);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.deepEqual(loadNotifySettings(path), s);
  });

  it('masks URL paths, the SMTP password and the HMAC secret', () => {
    const m = maskedNotifySettings({
      slack: 'https://hooks.slack.com/services/T0/B0/XYZ',
      smtp: 'smtp://bob:hunter2@mail.example.com:587',
      webhook_secret: 'supersecret',
      email_to: 'ops@example.com',
    });
    assert.deepEqual(m, {
      'notify.slack': 'https://hooks.slack.com/…',
      'notify.webhook_secret': '***',
      'notify.smtp': 'smtp://bob:***@mail.example.com:587',
      'notify.email_to': 'ops@example.com',
    });
    assert.doesNotMatch(JSON.stringify(m), /XYZ|hunter2|supersecret/);
  });

  it('leaves out a bad value of a hand-edited file', () => {
    const path = join(tmpDir(), 'notify.json');
    writeFileSync(
      path,
      JSON.stringify({ webhook: 'nope', slack: 'https://hooks.slack.com/x', window: 5000 }),
    );
    assert.deepEqual(loadNotifySettings(path), { slack: 'https://hooks.slack.com/x', window: 5000 });
    assert.ok(readFileSync(path, 'utf8'));
  });

  it('signs <timestamp>.<body> with HMAC-SHA256 (the documented recipe)', () => {
    // Independently: printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac secret
    assert.equal(
      signature('secret', '1700000000', '{"a":1}'),
      'sha256=49f24e537407743fa4a0242bb63b94b9a47ee99cbbe071ccd8a22550ae411686',
    );
  });
});
