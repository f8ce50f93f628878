import type { AppConfig } from '../../config/app-config.js';
import { DEFAULTS } from '../../config/defaults.js';

/**
 * What to do when a process exits: one pure function of the app's policy, its counters and the exit.
 * PM2's rules (autorestart, stop_exit_codes, min_uptime/max_restarts, restart_delay,
 * exp_backoff_restart_delay) plus a sliding-window crash-loop guard that PM2 lacks.
 */
export type PolicyConfig = Pick<
  AppConfig,
  | 'autorestart'
  | 'stop_exit_codes'
  | 'restart_delay'
  | 'exp_backoff_restart_delay'
  | 'min_uptime'
  | 'max_restarts'
  | 'restart_limit'
  | 'restart_limit_window'
>;

export interface RestartCounters {
  /** When the current run of restarts began (first start, manual restart or reset); null after errored. */
  created_at: number | null;
  /** When the process that just exited was spawned. */
  pm_uptime: number;
  unstable_restarts: number;
  prev_restart_delay: number;
  /** Times of recent automatic restarts, for the sliding-window guard. */
  crash_times: number[];
}

export interface ExitInfo {
  code: number | null;
  signal: string | null;
  at: number;
}

export type ExitDecision =
  | { action: 'stop'; reason: 'autorestart disabled' | 'stop exit code'; counters: RestartCounters }
  | { action: 'errored'; reason: string; counters: RestartCounters }
  | { action: 'restart'; delay: number; counters: RestartCounters };

export function decideOnExit(cfg: PolicyConfig, c: RestartCounters, exit: ExitInfo): ExitDecision {
  if (!cfg.autorestart) return { action: 'stop', reason: 'autorestart disabled', counters: c };
  if (exit.code !== null && cfg.stop_exit_codes.includes(exit.code)) {
    return { action: 'stop', reason: 'stop exit code', counters: c };
  }

  const uptime = exit.at - c.pm_uptime;
  let unstable = c.unstable_restarts;
  // PM2's unstable-restart rule: a quick exit within the first min_uptime × max_restarts of a run.
  if (
    c.created_at !== null &&
    exit.at - c.created_at < cfg.min_uptime * cfg.max_restarts &&
    uptime < cfg.min_uptime
  ) {
    unstable += 1;
  }
  // As in PM2, max_restarts 0 means: never restart automatically.
  if (unstable >= cfg.max_restarts) {
    return {
      action: 'errored',
      reason: `${unstable} unstable restarts (exited within min_uptime ${cfg.min_uptime}ms each); max_restarts is ${cfg.max_restarts}`,
      counters: { ...c, unstable_restarts: 0, created_at: null },
    };
  }

  const windowStart = exit.at - cfg.restart_limit_window;
  const crashTimes = c.crash_times.filter((t) => t > windowStart);
  if (cfg.restart_limit > 0 && crashTimes.length >= cfg.restart_limit) {
    return {
      action: 'errored',
      reason: `${crashTimes.length} restarts within ${Math.round(cfg.restart_limit_window / 1000)}s (restart_limit ${cfg.restart_limit})`,
      counters: { ...c, unstable_restarts: 0, created_at: null, crash_times: [] },
    };
  }

  let delay = cfg.restart_delay;
  let prev = c.prev_restart_delay;
  if (cfg.exp_backoff_restart_delay > 0) {
    // The back-off starts over once a process has stayed up long enough.
    if (uptime > DEFAULTS.exp_backoff_reset) prev = 0;
    delay =
      prev === 0 ? cfg.exp_backoff_restart_delay : Math.floor(Math.min(DEFAULTS.exp_backoff_max, prev * 1.5));
    prev = delay;
  }
  return {
    action: 'restart',
    delay,
    counters: {
      ...c,
      unstable_restarts: unstable,
      prev_restart_delay: prev,
      crash_times: [...crashTimes, exit.at],
    },
  };
}

/** Counters of a fresh run: first start, manual restart, reload or `reset`. */
export function freshCounters(now: number): RestartCounters {
  return { created_at: now, pm_uptime: 0, unstable_restarts: 0, prev_restart_delay: 0, crash_times: [] };
}
