import type { ProcSummary } from '../../../../src/protocol/methods.js';

/** A `list` row for tests. */
export function proc(pm_id: number, name: string, over: Partial<ProcSummary> = {}): ProcSummary {
  return {
    pm_id,
    name,
    namespace: 'default',
    version: '1.0.0',
    exec_mode: 'fork_mode',
    pid: 1000 + pm_id,
    pm_uptime: 0,
    restart_time: 0,
    unstable_restarts: 0,
    status: 'online',
    cpu: 0,
    memory: 0,
    username: 'me',
    watch: false,
    next_restart_at: null,
    pm_exec_path: `/srv/${name}.js`,
    ...over,
  };
}
