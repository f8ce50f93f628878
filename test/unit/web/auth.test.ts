import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Auth, sameSecret, sessionCookie } from '../../../src/web/auth.js';
import { dashboardUrl, isLoopback } from '../../../src/web/tokens.js';

describe('web auth', () => {
  const auth = new Auth({ admin: 'a'.repeat(43), read: 'r'.repeat(43) });

  it('tells the two tokens apart and refuses anything else, whatever its length', () => {
    assert.equal(auth.roleOf('a'.repeat(43)), 'admin');
    assert.equal(auth.roleOf('r'.repeat(43)), 'read');
    for (const t of ['', 'a', 'a'.repeat(42), 'a'.repeat(44), 'r'.repeat(43) + ' '])
      assert.equal(auth.roleOf(t), undefined);
    assert.ok(sameSecret('x', 'x'));
    assert.ok(!sameSecret('x', 'xx'));
  });

  it('doubles the wait of each failed login of a client, up to a cap, and forgets it on success', () => {
    const a = new Auth({ admin: 'a', read: 'r' });
    const delays: number[] = [];
    let t = 0;
    const fast = new Auth({ admin: 'a', read: 'r' }, () => t);
    for (let k = 0; k < 8; k++) {
      delays.push(fast.nextDelay('1.2.3.4'));
      void fast.failed('1.2.3.4');
      t += 1;
    }
    assert.deepEqual(delays, [250, 500, 1000, 2000, 4000, 8000, 8000, 8000]);
    assert.equal(fast.nextDelay('5.6.7.8'), 250, 'per client');
    fast.succeeded('1.2.3.4');
    assert.equal(fast.nextDelay('1.2.3.4'), 250);
    assert.equal(a.nextDelay('x'), 250);
  });

  it('refuses the attempts of a client while its last failure is waited out (429), then lets it try', async () => {
    let t = 1000;
    const auth2 = new Auth({ admin: 'a', read: 'r' }, () => t);
    auth2.checkThrottle('c');
    const waiting = auth2.failed('c');
    assert.throws(
      () => auth2.checkThrottle('c'),
      (e: unknown) => (e as { status: number }).status === 429,
    );
    auth2.checkThrottle('someone else');
    t += 250;
    auth2.checkThrottle('c');
    await waiting;
  });

  it('makes HttpOnly SameSite=Strict cookies, Secure over TLS', () => {
    assert.match(
      sessionCookie('id', false),
      /^steward_session=id; HttpOnly; SameSite=Strict; Path=\/; Max-Age=\d+$/,
    );
    assert.match(sessionCookie('id', true), /; Secure$/);
  });

  it('knows loopback addresses and puts the token in the URL fragment', () => {
    for (const h of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) assert.ok(isLoopback(h), h);
    for (const h of ['0.0.0.0', '::', '192.168.1.2', 'example.com']) assert.ok(!isLoopback(h), h);
    assert.equal(dashboardUrl('http', '127.0.0.1', 9615, 'T'), 'http://127.0.0.1:9615/#token=T');
    assert.equal(dashboardUrl('https', '::', 9615, 'T'), 'https://[::1]:9615/#token=T');
  });
});
