import { StewardError } from '../common/errors.js';

/** The init systems `steward startup` writes a service for. */
export const PLATFORMS = ['systemd', 'openrc', 'launchd'] as const;
export type Platform = (typeof PLATFORMS)[number];

/** PM2's platform names and distribution aliases, mapped to the init system they mean. */
const ALIASES: Record<string, Platform> = {
  systemd: 'systemd',
  ubuntu: 'systemd',
  debian: 'systemd',
  centos: 'systemd',
  redhat: 'systemd',
  rhel: 'systemd',
  fedora: 'systemd',
  amazon: 'systemd',
  arch: 'systemd',
  openrc: 'openrc',
  alpine: 'openrc',
  gentoo: 'openrc',
  launchd: 'launchd',
  darwin: 'launchd',
  macos: 'launchd',
  macosx: 'launchd',
};

/** PM2 platforms Steward does not write a service for (yet). */
const UNSUPPORTED = ['upstart', 'systemv', 'rcd', 'rcd-openbsd', 'smf', 'freebsd', 'openbsd', 'solaris'];

/** Commands whose presence on PATH reveals the init system, probed in PM2's order. */
const PROBES: Array<[string, Platform]> = [
  ['systemctl', 'systemd'],
  ['rc-update', 'openrc'],
  ['launchctl', 'launchd'],
];

/** The platform a user named (`steward startup ubuntu`), or the one found on this machine. */
export function resolvePlatform(given: string | undefined, which: (cmd: string) => boolean): Platform {
  if (given !== undefined) {
    const p = ALIASES[given.toLowerCase()];
    if (p) return p;
    const hint = `give one of ${PLATFORMS.join(', ')}; docs/startup.md shows how to run the service yourself`;
    if (UNSUPPORTED.includes(given.toLowerCase())) {
      throw new StewardError('E_USAGE', `startup: ${given} is not supported`, { hint });
    }
    throw new StewardError('E_USAGE', `startup: unknown init system "${given}"`, { hint });
  }
  for (const [cmd, platform] of PROBES) if (which(cmd)) return platform;
  throw new StewardError('E_USAGE', 'startup: cannot tell which init system this machine uses', {
    hint: `name it: \`steward startup ${PLATFORMS.join('|')}\``,
  });
}
