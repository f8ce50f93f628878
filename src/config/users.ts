import { readFileSync } from 'node:fs';

/** A user or group from /etc/passwd or /etc/group, by name or id. */
export interface UserEntry {
  name: string;
  id: number;
  gid: number;
  home: string;
}

function readTable(path: string): string[][] {
  try {
    return readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(':'));
  } catch {
    return [];
  }
}

export function lookupUser(who: string | number): UserEntry | undefined {
  for (const f of readTable('/etc/passwd')) {
    const [name = '', , uid = '', gid = '', , home = ''] = f;
    if (name === String(who) || uid === String(who)) return { name, id: Number(uid), gid: Number(gid), home };
  }
  return typeof who === 'number' || /^\d+$/.test(who)
    ? { name: String(who), id: Number(who), gid: Number(who), home: '/' }
    : undefined;
}

export function lookupGroup(who: string | number): number | undefined {
  for (const f of readTable('/etc/group')) {
    const [name = '', , gid = ''] = f;
    if (name === String(who) || gid === String(who)) return Number(gid);
  }
  return typeof who === 'number' || /^\d+$/.test(who) ? Number(who) : undefined;
}
