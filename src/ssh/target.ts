import { StewardError } from '../common/errors.js';

/** Where to reach a host over SSH. `user` and `port` stay undefined when ssh's own config decides. */
export interface SshTarget {
  host: string;
  user?: string | undefined;
  port?: number | undefined;
}

/**
 * Reads `ssh://[user@]host[:port]` (Docker's DOCKER_HOST form) or the plain `[user@]host` form that
 * PM2's deploy sections and ssh itself use. An IPv6 address goes in brackets in the URL form.
 */
export function parseSshTarget(text: string): SshTarget {
  const bad = (why: string) =>
    new StewardError('E_USAGE', `bad SSH host "${text}": ${why}`, {
      hint: 'write ssh://user@host[:port], or user@host',
    });
  if (text.startsWith('ssh://')) {
    let url: URL;
    try {
      url = new URL(text);
    } catch {
      throw bad('not a URL');
    }
    if (url.pathname !== '' && url.pathname !== '/') throw bad('a path is not allowed');
    if (url.password) throw bad('a password is not allowed (SSH keys are the authentication)');
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    if (!host) throw bad('no host');
    return {
      host,
      user: url.username ? decodeURIComponent(url.username) : undefined,
      port: url.port ? Number(url.port) : undefined,
    };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw bad('only ssh:// is supported');
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : undefined;
  const host = at >= 0 ? text.slice(at + 1) : text;
  if (!host || /\s/.test(host)) throw bad('no host');
  if (user !== undefined && (!user || /\s/.test(user))) throw bad('empty user');
  return { host, user };
}

/** `user@host` (ssh's destination argument; the port goes in -p). */
export function sshDestination(t: SshTarget): string {
  return t.user ? `${t.user}@${t.host}` : t.host;
}

/** A short name for output prefixes and tables: `user@host:port` without the parts left to ssh. */
export function describeTarget(t: SshTarget): string {
  return `${sshDestination(t)}${t.port ? `:${t.port}` : ''}`;
}
