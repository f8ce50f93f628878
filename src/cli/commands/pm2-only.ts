import { StewardError } from '../../common/errors.js';
import type { CliContext } from '../context.js';

/**
 * Commands PM2 scripts call that have no counterpart in Steward: each answers in one line what
 * replaces it and exits 0, so that a deploy script goes on.
 */

/** `link`, `unlink`, `plus`, `login`, `logout`, `open`, `monitor`, `unmonitor` (PM2 Plus). */
export function plus(ctx: CliContext, command: string): void {
  ctx.out(
    `[steward] ${command}: PM2 Plus is not used; Steward's metrics are built in: \`steward monit\`, \`steward show <app>\`, Prometheus with \`steward set prometheus_port 9209\` (docs/monitoring.md)`,
  );
}

const LOGROTATE = /^pm2-logrotate(@.*)?$/;

/** `install <module>`: pm2-logrotate is built in; other modules do not exist in Steward. */
export function install(ctx: CliContext, modules: string[], verb: 'install' | 'uninstall'): void {
  const others = modules.filter((m) => !LOGROTATE.test(m));
  if (others.length > 0) {
    throw new StewardError('E_USAGE', `${verb}: Steward has no PM2 modules (${others.join(', ')})`, {
      hint: 'run the module as an app with `steward start`, or see docs/migration-from-pm2.md',
    });
  }
  ctx.out(
    `[steward] log rotation is built in (pm2-logrotate is not needed): \`steward set log_max_size 10M\`, \`steward set pm2-logrotate:max_size 10M\` works too (docs/logs.md)`,
  );
}

/** pm2-logrotate settings with no Steward counterpart: accepted with a note. */
const LOGROTATE_IGNORED = new Set([
  'pm2-logrotate:workerInterval',
  'pm2-logrotate:rotateModule',
  'pm2-logrotate:dateFormat',
  'pm2-logrotate:TZ',
]);

/** Answers `set pm2-logrotate:<key>` for keys Steward does not need; false for every other key. */
export function logrotateSetting(ctx: CliContext, key: string): boolean {
  if (!LOGROTATE_IGNORED.has(key)) return false;
  ctx.out(
    `[steward] ${key}: not needed, log rotation is built in and checked as lines are written (docs/logs.md)`,
  );
  return true;
}
