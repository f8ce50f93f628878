import type * as Crypto from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lazyBuiltin } from '../common/lazy-builtin.js';

// The daemon imports this file too: crypto only once a token is made (see lazy-builtin.ts).
const crypto = lazyBuiltin<typeof Crypto>('node:crypto');

/**
 * The dashboard's two tokens, kept 0600 in STEWARD_HOME: `web.token` may act, `web-readonly.token`
 * may only look. 32 random bytes, base64url. Made on first use; delete a file to get a new one at
 * the next `steward web`.
 */
export type Role = 'admin' | 'read';

export const TOKEN_FILES: Record<Role, string> = { admin: 'web.token', read: 'web-readonly.token' };

export function tokenPath(home: string, role: Role): string {
  return join(home, TOKEN_FILES[role]);
}

/** The token of a role, created (0600, exclusive create so two writers cannot mix) when missing. */
export function ensureToken(home: string, role: Role): string {
  const path = tokenPath(home, role);
  try {
    const t = readFileSync(path, 'utf8').trim();
    if (t.length >= 32) return t;
  } catch {
    // not made yet
  }
  const token = crypto().randomBytes(32).toString('base64url');
  try {
    writeFileSync(path, token + '\n', { mode: 0o600, flag: 'wx' });
    return token;
  } catch {
    // Someone made it meanwhile (or it was too short and is replaced).
    const t = safeRead(path);
    if (t && t.length >= 32) return t;
    writeFileSync(path, token + '\n', { mode: 0o600 });
    return token;
  }
}

function safeRead(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** Addresses that only this machine can reach. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The URL a browser opens: the token in the fragment, which browsers never send to a server. */
export function dashboardUrl(scheme: 'http' | 'https', host: string, port: number, token: string): string {
  const h =
    host === '0.0.0.0'
      ? '127.0.0.1'
      : host === '::'
        ? '[::1]'
        : host.includes(':') && !host.startsWith('[')
          ? `[${host}]`
          : host;
  return `${scheme}://${h}:${port}/#token=${token}`;
}
