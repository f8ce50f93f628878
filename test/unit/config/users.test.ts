import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { describe, it } from 'node:test';
import { type DatabaseLookup, lookupGroup, lookupUser } from '../../../src/config/users.js';

const hasGetent = (() => {
  try {
    execFileSync('getent', ['passwd', 'root'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

describe('users and groups', () => {
  it('asks the system database, not /etc/passwd: a user only NSS knows is found', () => {
    // What an LDAP/SSSD/systemd-homed user looks like: known to `getent`, absent from the files.
    const calls: string[] = [];
    const nss: DatabaseLookup = (db, key) => {
      calls.push(`${db} ${key}`);
      if (db === 'passwd' && (key === 'ldapuser' || key === '120042'))
        return ['ldapuser', '*', '120042', '5000', 'LDAP User', '/home/ldapuser', '/bin/bash'];
      if (db === 'group' && key === 'ldapgroup') return ['ldapgroup', '*', '5000', ''];
      return undefined;
    };
    assert.deepEqual(lookupUser('ldapuser', nss), {
      name: 'ldapuser',
      id: 120042,
      gid: 5000,
      home: '/home/ldapuser',
    });
    assert.equal(lookupUser(120042, nss)?.name, 'ldapuser');
    assert.equal(lookupGroup('ldapgroup', nss), 5000);
    assert.deepEqual(calls, ['passwd ldapuser', 'passwd 120042', 'group ldapgroup']);
  });

  it('an unknown name is undefined; an unknown numeric id is kept as is', () => {
    const none: DatabaseLookup = () => undefined;
    assert.equal(lookupUser('nosuchuser', none), undefined);
    assert.deepEqual(lookupUser('4242', none), { name: '4242', id: 4242, gid: 4242, home: '/' });
    assert.equal(lookupGroup('nosuchgroup', none), undefined);
    assert.equal(lookupGroup(4242, none), 4242);
  });

  it(
    'on this machine: root, nobody and the current user resolve through getent; unknown names do not',
    {
      skip: !hasGetent && 'no getent here',
    },
    () => {
      assert.deepEqual(lookupUser('root'), { name: 'root', id: 0, gid: 0, home: '/root' });
      assert.equal(lookupUser(0)?.name, 'root');
      const nobody = execFileSync('getent', ['passwd', 'nobody'], { encoding: 'utf8' }).split(':');
      assert.equal(lookupUser('nobody')?.id, Number(nobody[2]));
      const me = userInfo();
      assert.equal(lookupUser(me.username)?.id, me.uid);
      assert.equal(lookupUser(me.uid)?.name, me.username);
      assert.equal(lookupUser('steward-no-such-user-x'), undefined);
      assert.equal(lookupGroup('root'), 0);
      assert.equal(lookupGroup('steward-no-such-group-x'), undefined);
    },
  );
});
