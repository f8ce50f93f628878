/** PM2's defaults, in Steward's units. */
export const DEFAULTS = {
  namespace: 'default',
  min_uptime: 1000,
  max_restarts: 16,
  restart_limit: 50,
  restart_limit_window: 10 * 60_000,
  kill_timeout: 1600,
  kill_signal: 'SIGINT',
  listen_timeout: 3000,
  exp_backoff_max: 15_000,
  exp_backoff_reset: 30_000,
  instance_var: 'NODE_APP_INSTANCE',
} as const;
