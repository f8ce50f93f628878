// The examples as one ecosystem file: `steward start examples/ecosystem.config.js`, or the same apps
// for a fleet engine: `steward export kubernetes|nomad|systemd examples/ecosystem.config.js`
// (docs/scaling-out.md).
export default {
  apps: [
    {
      name: 'hello',
      script: './hello/server.js',
      port: 3030,
      max_memory_restart: '200M',
      kill_timeout: '5s',
      health_check: { url: 'http://127.0.0.1:3030/', interval: '10s', timeout: '2s', failure_threshold: 3 },
      env: { NODE_ENV: 'development' },
      env_production: { NODE_ENV: 'production', SESSION_SECRET: 'change-me' },
    },
    {
      name: 'cluster',
      script: './cluster/server.js',
      instances: 'max',
      exec_mode: 'cluster',
      port: 3000,
      ready_probe: 'http://127.0.0.1:3000/',
      restart_delay: '1s',
      exp_backoff_restart_delay: 100,
    },
    {
      name: 'py-server',
      script: './python/server.py',
      instances: 2,
      listen: ['0.0.0.0:8000'],
      kill_signal: 'SIGTERM',
      restart_limit: 10,
      restart_limit_window: '5m',
    },
    {
      name: 'py-worker',
      script: './python/worker.py',
      args: ['--batch', '100'],
      cron_restart: '0 3 * * *',
      autorestart: false,
      stop_exit_codes: [0],
    },
  ],
};
