import pc from 'picocolors';
import type { CliContext } from '../context.js';
import { renderList, sortProcs } from '../output/list.js';
import { prettyText } from '../output/prettylist.js';
import { formatBytes, formatUptime, renderTable } from '../output/format.js';
import { StewardError } from '../../common/errors.js';
import type { StewardDetails } from '../../api/types.js';

export async function list(ctx: CliContext, opts: { sort?: string }): Promise<void> {
  const c = await ctx.connect();
  const procs = await c.call('list', {});
  ctx.out(renderList(sortProcs(procs, opts.sort)));
}

/** The list in PM2's shape; Steward's details (`steward`, beside `pm2_env`) only when asked for. */
async function pm2List(ctx: CliContext, opts: { steward?: boolean }): Promise<unknown[]> {
  const c = await ctx.connect();
  const list = (await c.call('jlist', {})) as Array<Record<string, unknown>>;
  if (!opts.steward) for (const e of list) delete e.steward;
  return list;
}

export async function jlist(ctx: CliContext, opts: { steward?: boolean }): Promise<void> {
  // Like PM2: one JSON document, no trailing newline.
  process.stdout.write(JSON.stringify(await pm2List(ctx, opts)));
}

export async function prettylist(ctx: CliContext, opts: { steward?: boolean }): Promise<void> {
  ctx.out(prettyText(await pm2List(ctx, opts)));
}

/** `show`: a crash within the start window after `start` had returned (docs/restart-policy.md). */
function lateStartRow(st: StewardDetails): Array<[string, unknown]> {
  const f = st.late_start;
  if (!f) return [];
  const when = new Date(f.at).toISOString();
  return [['start check', `failed: pid ${f.pid} exited ${f.after_ms}ms after start (${f.exit}) at ${when}`]];
}

type Entry = {
  pid: number;
  name: string;
  pm_id: number;
  monit: { cpu: number; memory: number };
  pm2_env: Record<string, unknown>;
  steward: StewardDetails;
};

export async function describe(ctx: CliContext, target: string): Promise<void> {
  const c = await ctx.connect();
  const entries = (await c.call('describe', { targets: [target], cwd: process.cwd() })) as Entry[];
  const now = Date.now();
  for (const e of entries) {
    const env = e.pm2_env;
    const st = e.steward;
    const str = (v: unknown) =>
      v === null || v === undefined ? 'N/A' : typeof v === 'string' ? v : JSON.stringify(v);
    const rows: Array<[string, unknown]> = [
      ['status', env.status],
      ['name', e.name],
      ['namespace', env.namespace],
      ['version', env.version],
      ['pid', e.pid],
      ['restarts', env.restart_time],
      ['unstable restarts', env.unstable_restarts],
      ['uptime', env.status === 'online' ? formatUptime(now - Number(env.pm_uptime)) : 0],
      ['next restart', st.next_restart_at ? new Date(st.next_restart_at).toISOString() : null],
      ['last exit code', env.exit_code],
      ...lateStartRow(st),
      ['script path', env.pm_exec_path],
      ['script args', ((env.args as string[] | undefined) ?? []).join(' ')],
      ['interpreter', env.exec_interpreter],
      ['interpreter args', (env.node_args as string[]).join(' ')],
      ['exec cwd', env.pm_cwd],
      ['exec mode', env.exec_mode],
      ['node version', env.node_version],
      ['out log path', env.pm_out_log_path],
      ['error log path', env.pm_err_log_path],
      ['autorestart', env.autorestart],
      ['min uptime', `${str(env.min_uptime)}ms`],
      ['max restarts', env.max_restarts],
      ['restart delay', `${str(env.restart_delay)}ms`],
      ['exp backoff restart delay', env.exp_backoff_restart_delay],
      ['stop exit codes', env.stop_exit_codes],
      ['kill signal', st.kill_signal],
      ['kill timeout', `${str(env.kill_timeout)}ms`],
      ['cpu', `${e.monit.cpu}%`],
      ['memory', formatBytes(e.monit.memory)],
      ['log bytes dropped', st.log_dropped_bytes],
      ['created at', env.created_at ? new Date(Number(env.created_at)).toISOString() : null],
    ];
    ctx.out(` Describing process with id ${e.pm_id} - name ${pc.cyan(e.name)}`);
    ctx.out(
      renderTable(
        ['key', 'value'],
        rows.map(([k, v]) => [k, str(v)]),
      ),
    );
    const metrics = Object.entries((env.axm_monitor ?? {}) as Record<string, Record<string, unknown>>);
    if (metrics.length > 0) {
      ctx.out(' Metrics');
      ctx.out(
        renderTable(
          ['metric', 'value'],
          metrics.map(([k, m]) => [
            k,
            `${str(m.value)}${typeof m.unit === 'string' && m.unit ? ` ${m.unit}` : ''}${histogramStats(m)}`,
          ]),
        ),
      );
    }
    const actions = (env.axm_actions ?? []) as Array<{ action_name: string }>;
    if (actions.length > 0)
      ctx.out(
        ` Actions: ${actions.map((a) => a.action_name).join(', ')} (run with \`steward trigger ${e.name} <action>\`)`,
      );
    if (st.history.length > 0) {
      ctx.out(' History (latest last)');
      ctx.out(
        renderTable(
          ['at', 'event', 'pid', 'exit', 'reason'],
          st.history
            .slice(-15)
            .map((h) => [
              new Date(h.at).toISOString(),
              h.event,
              h.pid === undefined ? '' : String(h.pid),
              h.signal ?? (h.exit_code === undefined ? '' : String(h.exit_code)),
              h.reason ?? '',
            ]),
        ),
      );
    }
  }
  const notifying = await (await import('./notify.js')).notifyProblems(c);
  if (notifying.length > 0)
    ctx.out(` Notifications not delivering:\n${notifying.map((l) => `  ${l}`).join('\n')}`);
}

/** A steward/agent histogram's other statistics, after its value: ` (p50 4, p95 9, p99 12, min 1, max 15, count 120)`. */
function histogramStats(m: Record<string, unknown>): string {
  if (m.kind !== 'histogram') return '';
  const parts = ['p50', 'p95', 'p99', 'min', 'max', 'count']
    .filter((f) => typeof m[f] === 'number')
    .map((f) => `${f} ${String(m[f])}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

export async function pid(ctx: CliContext, target: string | undefined): Promise<void> {
  const c = await ctx.connect();
  const procs = await c.call('list', {});
  let ids: Set<number> | undefined;
  if (target !== undefined) {
    const entries = (await c.call('describe', { targets: [target], cwd: process.cwd() })) as Entry[];
    ids = new Set(entries.map((e) => e.pm_id));
  }
  for (const p of procs)
    if (!ids || ids.has(p.pm_id))
      ctx.out(String(p.status === 'online' || p.status === 'launching' ? p.pid : 0));
}

export async function id(ctx: CliContext, name: string): Promise<void> {
  const c = await ctx.connect();
  const procs = await c.call('list', {});
  ctx.out(JSON.stringify(procs.filter((p) => p.name === name).map((p) => p.pm_id)));
}

export async function env(ctx: CliContext, target: string): Promise<void> {
  const c = await ctx.connect();
  const res = await c.call('env', { targets: [target], cwd: process.cwd() });
  if (res.length === 0) throw new StewardError('E_APP_NOT_FOUND', `process not found: ${target}`);
  for (const r of res) {
    if (res.length > 1) ctx.out(`# ${r.pm_id}`);
    for (const k of Object.keys(r.env).sort()) ctx.out(`${k}: ${r.env[k]}`);
  }
}
