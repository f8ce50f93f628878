import { hostname, userInfo } from 'node:os';
import { randomBytes } from 'node:crypto';
import { shellQuote } from '../ssh/command.js';

/**
 * One deploy at a time per host and path: `mkdir $P/.deploy-lock` is atomic, and the directory
 * holds an `owner` file (`<token> <user>@<machine> pid <pid> since <time>`) so that a second deploy
 * fails in one line naming the holder. The token lets a deploy remove its own lock and never
 * another's. A deploy that died holding it leaves the lock behind: the error says how to remove it.
 */
export const LOCK_DIR = '.deploy-lock';

export interface LockOwner {
  token: string;
  /** `user@machine pid 123 since 2026-12-02T17:00:00Z`: what a refused deploy prints. */
  description: string;
}

export function newLockOwner(now: Date = new Date()): LockOwner {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no passwd entry: the pid and machine still say who
  }
  return {
    token: randomBytes(8).toString('hex'),
    description: `${user}@${hostname()} pid ${process.pid} since ${now.toISOString().replace(/\.\d+Z$/, 'Z')}`,
  };
}

/** Shell lines taking the lock, or failing with `locked <holder>` (or `unwritable`). */
export function acquireLock(owner: LockOwner): string {
  const line = shellQuote(`${owner.token} ${owner.description}`);
  return [
    `if mkdir "$P/${LOCK_DIR}" 2>/dev/null; then`,
    `  printf '%s\\n' ${line} > "$P/${LOCK_DIR}/owner"`,
    'else',
    '  [ -w "$P" ] || fail unwritable "$P"',
    `  fail locked "$(cut -d' ' -f2- "$P/${LOCK_DIR}/owner" 2>/dev/null || echo 'an unknown deploy')"`,
    'fi',
  ].join('\n');
}

/** Shell lines removing the lock if (and only if) it is this deploy's. */
export function releaseLock(owner: LockOwner): string {
  return (
    `if [ "$(cut -d' ' -f1 "$P/${LOCK_DIR}/owner" 2>/dev/null)" = ${shellQuote(owner.token)} ]; then ` +
    `rm -rf "$P/${LOCK_DIR}"; fi`
  );
}
