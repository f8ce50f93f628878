import type { Rule } from './mapping.js';

/**
 * Rules that read the same for every target: options that only shape how Steward itself runs a
 * process (its log files, its watcher, its agent), or that the loader has already applied.
 */
export const COMMON_RULES: Readonly<Record<string, Rule>> = {
  name: { to: 'the name of the unit, job group or Deployment' },
  script: { to: 'the command that is run' },
  exec_interpreter: { to: 'the first word of the command' },
  node_args: { to: 'arguments of the interpreter in the command' },
  args: { to: 'arguments of the script in the command' },
  env: { to: 'the environment of the process (env, then env_<name> with --env)' },
  env_file: { to: 'read at export time: its variables are part of the environment' },
  append_env_to_name: { to: 'applied at export time: the name carries -<env>' },
  port: { to: 'PORT in the environment' },
  filter_env: { to: 'always: the target does not pass the shell environment of `steward export`' },
  execute_command: { to: 'always: every target runs one process per unit, allocation or pod' },
  force: { none: 'Steward-only: allows a second copy of a script on one machine' },
  time: { none: 'log timestamps are the log system’s (journald, container runtime)' },
  log_date_format: { none: 'log timestamps are the log system’s (journald, container runtime)' },
  log_type: { none: 'the process writes its own output; no JSON wrapping by a supervisor' },
  merge_logs: { none: 'one log stream per process, kept by the log system' },
  log_max_size: { none: 'rotation is the log system’s job (journald, kubelet, Nomad logs stanza)' },
  log_retain: { none: 'rotation is the log system’s job (journald, kubelet, Nomad logs stanza)' },
  log_compress: { none: 'rotation is the log system’s job (journald, kubelet, Nomad logs stanza)' },
  log_rotate_interval: { none: 'rotation is the log system’s job (journald, kubelet, Nomad logs stanza)' },
  watch: { none: 'restarting on file changes is for development; deploy a new version instead' },
  ignore_watch: { none: 'restarting on file changes is for development; deploy a new version instead' },
  watch_delay: { none: 'restarting on file changes is for development; deploy a new version instead' },
  watch_options: { none: 'restarting on file changes is for development; deploy a new version instead' },
  agent: { none: 'Steward’s preloaded agent needs Steward’s daemon; not available here' },
  shutdown_with_message: { none: 'needs an IPC channel to a Steward parent; the process gets a signal' },
  memory_check_interval: { none: 'the memory limit is enforced by the kernel (cgroup), not polled' },
  min_uptime: { none: 'no notion of an unstable start; the restart limit counts every restart' },
  max_restarts: { none: 'no separate limit for unstable restarts; see the restart limit' },
  wait_ready: { none: 'process.send("ready") needs Steward’s IPC channel; use ready_probe' },
  ready_pattern: { none: 'a log line cannot mark readiness here; use ready_probe' },
  listen_timeout: { none: 'no deadline to become ready; readiness probes retry' },
  pid_file: { none: 'the supervisor tracks the process itself; no pid file is written' },
  notify: { none: 'Steward’s notifier needs Steward’s daemon; use the platform’s alerting' },
};
