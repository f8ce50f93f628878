import { join } from 'node:path';
import type { AppConfig } from '../../config/app-config.js';

export interface LogPaths {
  out: string | null;
  err: string | null;
  combined: string | null;
}

/** An instance's log files: PM2's `<name>-out.log`/`-error.log`, with `-<id>` unless merge_logs. */
export function logPathsFor(cfg: AppConfig, pmId: number, logsDir: string): LogPaths {
  const suffix = (p: string) => (cfg.merge_logs ? p : p.replace(/(\.log)?$/, `-${pmId}$1`));
  const safe = cfg.name.replace(/[^a-zA-Z0-9.-]/g, '-');
  const pick = (given: string | null, dflt: string): string | null =>
    given === null ? null : suffix(given === '' ? join(logsDir, dflt) : given);
  return {
    out: pick(cfg.out_file, `${safe}-out.log`),
    err: pick(cfg.error_file, `${safe}-error.log`),
    combined: cfg.log_file === null ? null : suffix(cfg.log_file),
  };
}

/** PM2's pid file: `pids/<name>-<id>.pid` (or `pid_file` with `-<id>` inserted). */
export function pidPathFor(cfg: AppConfig, pmId: number, pidsDir: string): string {
  const safe = cfg.name.replace(/[^a-zA-Z0-9.-]/g, '-');
  return cfg.pid_file
    ? cfg.pid_file.replace(/(\.pid)?$/, `-${pmId}$1`)
    : join(pidsDir, `${safe}-${pmId}.pid`);
}
