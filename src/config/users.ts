import type * as ChildProcess from 'node:child_process';
import { lazyBuiltin } from '../common/lazy-builtin.js';
import { readFileSync } from 'node:fs';

/** Only `--uid`/`--gid`/`user` need it: stop, restart and delete do not pay for loading it. */
const childProcess = lazyBuiltin<typeof ChildProcess>('node:child_process');

/** A user from the system's user database, by name or id. */
export interface UserEntry {
  name: string;
  id: number;
  gid: number;
  home: string;
}

/**
 * One entry of a system database (`passwd`, `group`) as its colon-separated fields, or undefined
 * when there is none. `getent` asks NSS, so users from LDAP, SSSD or systemd-homed are found as well
 * as those in /etc/passwd; it exits 2 for an unknown key.
 */
export type DatabaseLookup = (db: 'passwd' | 'group', key: string) => string[] | undefined;

/** The system's answer through `getent`; the files themselves where there is no getent (macOS). */
export const systemLookup: DatabaseLookup = (db, key) => {
  let out: string;
  try {
    out = childProcess().execFileSync('getent', [db, key], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
  } catch (e) {
    // exit 2: no such entry; ENOENT: no getent on this system
    return (e as NodeJS.ErrnoException).code === 'ENOENT' ? fileLookup(db, key) : undefined;
  }
  const line = out.split('\n', 1)[0];
  return line ? line.split(':') : undefined;
};

/** /etc/passwd and /etc/group read directly: local users only. */
export function fileLookup(db: 'passwd' | 'group', key: string): string[] | undefined {
  let text: string;
  try {
    text = readFileSync(`/etc/${db}`, 'utf8');
  } catch {
    return undefined;
  }
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const f = line.split(':');
    // name, password, id: the same layout in both files
    if (f[0] === key || f[2] === key) return f;
  }
  return undefined;
}

const isId = (who: string | number) => typeof who === 'number' || /^\d+$/.test(who);

/**
 * A user by name or id. A numeric id that the system does not know is still usable (as PM2 allows),
 * with its own number as group and `/` as home; an unknown name is undefined.
 */
export function lookupUser(
  who: string | number,
  lookup: DatabaseLookup = systemLookup,
): UserEntry | undefined {
  const f = lookup('passwd', String(who));
  if (f) {
    const [name = '', , uid = '', gid = '', , home = ''] = f;
    return { name, id: Number(uid), gid: Number(gid), home };
  }
  return isId(who) ? { name: String(who), id: Number(who), gid: Number(who), home: '/' } : undefined;
}

/** A group's id by name or id (an unknown numeric id is kept, an unknown name is undefined). */
export function lookupGroup(who: string | number, lookup: DatabaseLookup = systemLookup): number | undefined {
  const f = lookup('group', String(who));
  if (f) return Number(f[2]);
  return isId(who) ? Number(who) : undefined;
}
