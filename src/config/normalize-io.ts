import { existsSync, readFileSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import type { NormalizeIo } from './normalize.js';
import { appVersion, readHead, which } from './resolve-script.js';
import { lookupGroup, lookupUser } from './users.js';

/** The real machine, for normalizeApp: files, PATH, and users and groups as the system resolves them (getent). */
export const nodeIo: NormalizeIo = {
  isDirectory: (path) => {
    try {
      return statSync(path).isDirectory();
    } catch {
      return false;
    }
  },
  readHead: (path) => readHead(path),
  which,
  appVersion,
  readText: (path) => readFileSync(path, 'utf8'),
  exists: existsSync,
  lookupUser: (who) => lookupUser(who),
  lookupGroup: (who) => lookupGroup(who),
  currentUser: () => userInfo().username,
};
