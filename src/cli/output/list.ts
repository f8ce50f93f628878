import pc from 'picocolors';
import type { ProcSummary } from '../../protocol/methods.js';
import { StewardError } from '../../common/errors.js';
import { formatBytes, formatUptime, renderTable } from './format.js';

const SORT_KEYS: Record<string, (p: ProcSummary) => number | string> = {
  id: (p) => p.pm_id,
  name: (p) => p.name,
  namespace: (p) => p.namespace,
  pid: (p) => p.pid,
  cpu: (p) => p.cpu,
  memory: (p) => p.memory,
  mem: (p) => p.memory,
  uptime: (p) => (p.pm_uptime > 0 ? -p.pm_uptime : Number.NEGATIVE_INFINITY),
  status: (p) => p.status,
  restarts: (p) => p.restart_time,
};

export function sortProcs(procs: ProcSummary[], spec: string | undefined): ProcSummary[] {
  if (!spec) return procs;
  const [field = 'id', dir = 'asc'] = spec.split(':');
  const key = SORT_KEYS[field];
  if (!key || (dir !== 'asc' && dir !== 'desc')) {
    throw new StewardError('E_BAD_OPTION', `--sort: unknown sort "${spec}"`, {
      hint: `use <field>[:asc|desc] with field one of ${Object.keys(SORT_KEYS).join(', ')}`,
    });
  }
  const sign = dir === 'desc' ? -1 : 1;
  return [...procs].sort((a, b) => {
    const x = key(a);
    const y = key(b);
    return (x < y ? -1 : x > y ? 1 : 0) * sign;
  });
}

function statusCell(p: ProcSummary, now: number): string {
  if (p.status === 'online') return pc.green(p.status);
  if (p.status === 'launching') return pc.blue(p.status);
  if (p.status === 'waiting restart' && p.next_restart_at !== null) {
    const s = Math.max(0, Math.ceil((p.next_restart_at - now) / 1000));
    return pc.yellow(`waiting (${s}s)`);
  }
  return pc.red(p.status);
}

/** The `ls` table; `hosts[i]`, when given, is the host of `procs[i]` (`ls --context a,b`). */
export function renderList(procs: ProcSummary[], now = Date.now(), hosts?: readonly string[]): string {
  if (procs.length === 0) return 'No processes are managed. Start one with `steward start <script>`.';
  const head = [
    ...(hosts ? ['host'] : []),
    'id',
    'name',
    'namespace',
    'version',
    'mode',
    'pid',
    'uptime',
    '↺',
    'status',
    'cpu',
    'mem',
    'user',
    'watching',
  ].map((h) => pc.bold(h));
  const rows = procs.map((p, n) => {
    const running = p.status === 'online' || p.status === 'launching';
    return [
      ...(hosts ? [hosts[n] ?? ''] : []),
      String(p.pm_id),
      pc.cyan(p.name),
      p.namespace,
      p.version,
      p.exec_mode === 'cluster_mode' ? 'cluster' : 'fork',
      running ? String(p.pid) : '0',
      running ? formatUptime(now - p.pm_uptime) : '0',
      String(p.restart_time),
      statusCell(p, now),
      `${p.cpu}%`,
      formatBytes(p.memory),
      p.username,
      p.watch ? pc.green('enabled') : pc.gray('disabled'),
    ];
  });
  return renderTable(head, rows);
}
