import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { cookie, HttpError } from './http.js';
import type { Role } from './tokens.js';

export const SESSION_COOKIE = 'steward_session';
/** A session lasts this long after the login, whatever it does. */
const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
const SESSIONS_MAX = 1000;
/** Failed logins from one address: each waits FAIL_DELAY_MS × 2^(n-1), up to FAIL_DELAY_MAX_MS. */
const FAIL_DELAY_MS = 250;
const FAIL_DELAY_MAX_MS = 8000;
/** A client's failures are forgotten after this long without one. */
const FAIL_FORGET_MS = 15 * 60 * 1000;

export interface Session {
  role: Role;
  csrf: string;
  expires: number;
}

/** Who is asking, and how: a bearer token (no CSRF needed: a browser never adds it on its own) or a cookie. */
export interface Caller {
  role: Role;
  via: 'bearer' | 'cookie';
  session?: Session;
}

/** Same-length digests so that timingSafeEqual applies and the length leaks nothing. */
function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export function sameSecret(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}

/**
 * Tokens, sessions, CSRF and login back-off. Sessions live in memory: a restarted web server asks
 * the page to log in again (the address bar URL from `steward web` still works).
 */
export class Auth {
  private readonly sessions = new Map<string, Session>();
  private readonly failures = new Map<string, { count: number; last: number; until: number }>();

  constructor(
    private readonly tokens: Record<Role, string>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The role a token grants, or undefined. Both tokens are always compared (same time either way). */
  roleOf(token: string): Role | undefined {
    const admin = sameSecret(token, this.tokens.admin);
    const read = sameSecret(token, this.tokens.read);
    return admin ? 'admin' : read ? 'read' : undefined;
  }

  /** A new session for a role: its id (the cookie) and its CSRF token. */
  login(role: Role): { id: string; session: Session } {
    if (this.sessions.size >= SESSIONS_MAX) {
      const oldest = this.sessions.keys().next().value;
      if (oldest !== undefined) this.sessions.delete(oldest);
    }
    const id = randomBytes(32).toString('base64url');
    const session = {
      role,
      csrf: randomBytes(32).toString('base64url'),
      expires: this.now() + SESSION_TTL_MS,
    };
    this.sessions.set(digest(id).toString('hex'), session);
    return { id, session };
  }

  logout(req: IncomingMessage): void {
    const id = cookie(req, SESSION_COOKIE);
    if (id) this.sessions.delete(digest(id).toString('hex'));
  }

  /** The caller of a request, or a 401. A wrong bearer token counts as a failed login. */
  async caller(req: IncomingMessage): Promise<Caller> {
    const auth = req.headers.authorization;
    if (auth !== undefined) {
      this.checkThrottle(clientOf(req));
      const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
      const role = m?.[1] ? this.roleOf(m[1]) : undefined;
      if (!role) {
        await this.failed(clientOf(req));
        throw new HttpError(
          401,
          'E_UNAUTHORIZED',
          'the bearer token is not valid',
          'use the token printed by `steward web`',
        );
      }
      this.succeeded(clientOf(req));
      return { role, via: 'bearer' };
    }
    const id = cookie(req, SESSION_COOKIE);
    const session = id ? this.sessions.get(digest(id).toString('hex')) : undefined;
    if (!session || session.expires < this.now()) {
      throw new HttpError(
        401,
        'E_UNAUTHORIZED',
        'not logged in',
        'open the URL printed by `steward web` (it carries the token)',
      );
    }
    return { role: session.role, via: 'cookie', session };
  }

  /** A cookie-authenticated change must carry the session's CSRF token in X-CSRF-Token. */
  checkCsrf(req: IncomingMessage, c: Caller): void {
    if (c.via !== 'cookie' || !c.session) return;
    const given = req.headers['x-csrf-token'];
    if (typeof given !== 'string' || !sameSecret(given, c.session.csrf)) {
      throw new HttpError(
        403,
        'E_CSRF',
        'missing or wrong CSRF token',
        'send X-CSRF-Token as given by GET /api/session',
      );
    }
  }

  /** Waits before a failed login answers: longer for each failure of the same client. */
  async failed(client: string): Promise<void> {
    const at = this.now();
    const f = this.failures.get(client);
    const count = f && at - f.last < FAIL_FORGET_MS ? f.count + 1 : 1;
    const wait = Math.min(FAIL_DELAY_MS * 2 ** (count - 1), FAIL_DELAY_MAX_MS);
    this.failures.set(client, { count, last: at, until: at + wait });
    if (this.failures.size > 10_000) this.failures.clear();
    await new Promise((r) => setTimeout(r, wait));
  }

  /**
   * While a client's last failure is still being waited out, its next attempts are refused at once
   * (429) without looking at the token: guesses from one address are one at a time, not in parallel.
   */
  checkThrottle(client: string): void {
    const f = this.failures.get(client);
    const left = f ? f.until - this.now() : 0;
    if (left > 0) {
      throw new HttpError(
        429,
        'E_TOO_MANY',
        'too many failed logins: wait before trying again',
        `retry in ${Math.ceil(left / 1000)} s`,
      );
    }
  }

  succeeded(client: string): void {
    this.failures.delete(client);
  }

  /** The delay the next failure of this client would get (for tests and the docs). */
  nextDelay(client: string): number {
    const f = this.failures.get(client);
    const count = f ? f.count + 1 : 1;
    return Math.min(FAIL_DELAY_MS * 2 ** (count - 1), FAIL_DELAY_MAX_MS);
  }
}

export function clientOf(req: IncomingMessage): string {
  return req.socket.remoteAddress ?? 'unknown';
}

export function sessionCookie(id: string, secure: boolean, maxAgeS = SESSION_TTL_MS / 1000): string {
  return `${SESSION_COOKIE}=${id}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeS}${secure ? '; Secure' : ''}`;
}
