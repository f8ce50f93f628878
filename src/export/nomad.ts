import type { AppConfig } from '../config/app-config.js';
import { COMMON_RULES } from './common-rules.js';
import {
  appPorts,
  commandLine,
  fleetInstances,
  header,
  isCronJob,
  loopbackProbeNote,
  splitEnv,
  withIgnored,
  type ExportApp,
  type ExportOptions,
  type ExportResult,
  type MappingTable,
} from './mapping.js';

/**
 * Nomad's JSON job format (the body of `nomad job run -json` / the HTTP API's `Job`), as documented
 * in HashiCorp's job specification: durations in nanoseconds, PascalCase keys.
 */
export const NOMAD_RULES: MappingTable = withIgnored({
  ...COMMON_RULES,
  namespace: { to: 'the job (one job per Steward namespace)' },
  cwd: { to: 'work_dir of the task (raw_exec, exec) or of the container (docker)' },
  exec_mode: { to: 'one process per allocation: cluster mode becomes count' },
  instances: { to: 'count of the group ("max": --max-instances, default 1)' },
  instance_var: { to: 'set to ${NOMAD_ALLOC_INDEX}' },
  increment_var: {
    none: 'Nomad cannot add the allocation index to a number; use ${NOMAD_ALLOC_INDEX} in the app',
  },
  autorestart: { to: 'restart.attempts 0 and no reschedule when false' },
  autostart: { to: 'false: count 0' },
  stop_exit_codes: { none: 'Nomad restarts a service task whatever its exit code' },
  restart_delay: { to: 'restart.delay' },
  exp_backoff_restart_delay: { to: 'reschedule: delay_function "exponential", delay, max_delay 15s' },
  restart_limit: { to: 'restart.attempts (then mode "fail": the allocation is rescheduled)' },
  restart_limit_window: { to: 'restart.interval' },
  kill_timeout: { to: 'kill_timeout of the task' },
  kill_signal: { to: 'kill_signal of the task' },
  treekill: { to: 'always: the task’s processes all end with it' },
  uid: { to: 'user of the task (needs raw_exec/exec running as root)' },
  gid: { none: 'Nomad sets the user only; the group is the user’s' },
  out_file: { none: 'task output goes to Nomad’s alloc logs (nomad alloc logs)' },
  error_file: { none: 'task output goes to Nomad’s alloc logs (nomad alloc logs)' },
  log_file: { none: 'task output goes to Nomad’s alloc logs (nomad alloc logs)' },
  disable_logs: { none: 'task output goes to Nomad’s alloc logs (nomad alloc logs)' },
  listen: { to: 'a static port of the group network and a service (the app must bind it itself)' },
  ready_probe: { to: 'a service check (with on_update "require_healthy")' },
  health_check: { to: 'a service check with check_restart (restarts after failure_threshold)' },
  max_memory_restart: { to: 'resources.memory (MB; the kernel kills the task past it)' },
  cron_restart: { to: 'a periodic batch job for a cron app (autorestart: false)' },
  port: { to: 'PORT in the environment, a static port and a service' },
});

const NS = 1_000_000;

/** An http:// or tcp:// URL as a Nomad check (without interval/timeout). */
function check(url: string, portLabel: string): Record<string, unknown> | undefined {
  const m = /^(http|tcp):\/\/(?:\[[^\]]*\]|[^/:]*)?:(\d+)(\/.*)?$/.exec(url);
  if (!m) return undefined;
  return m[1] === 'http'
    ? { Type: 'http', Path: m[3] ?? '/', PortLabel: portLabel }
    : { Type: 'tcp', PortLabel: portLabel };
}

function services(app: ExportApp, ports: number[], notes: string[]): Record<string, unknown>[] {
  const c = app.config;
  if (ports.length === 0 && !c.health) return [];
  const label = ports.length > 0 ? `port${ports[0]}` : undefined;
  const checks: Record<string, unknown>[] = [];
  const h = c.health;
  if (h) {
    const target = h.type === 'tcp' && !h.target.startsWith('tcp://') ? `tcp://${h.target}` : h.target;
    const base =
      h.type === 'command'
        ? { Type: 'script', Command: '/bin/sh', Args: ['-c', h.target] }
        : check(target, label ?? `port${/:(\d+)/.exec(target)?.[1] ?? ''}`);
    if (base)
      checks.push({
        Name: `${c.name}-health`,
        ...base,
        Interval: h.interval * NS,
        Timeout: h.timeout * NS,
        CheckRestart: { Limit: h.failure_threshold, Grace: h.initial_delay * NS },
      });
  }
  if (c.ready_probe) {
    const base = check(c.ready_probe, label ?? `port${/:(\d+)/.exec(c.ready_probe)?.[1] ?? ''}`);
    if (base)
      checks.push({
        Name: `${c.name}-ready`,
        ...base,
        Interval: 5000 * NS,
        Timeout: 2000 * NS,
        OnUpdate: 'require_healthy',
      });
    else notes.push(`ready_probe: "${c.ready_probe}" is not an http:// or tcp:// URL`);
  }
  // A service needs a port label unless it only has script checks.
  const portLabel = label ?? (checks[0]?.PortLabel as string | undefined);
  return [
    {
      Name: c.name.replace(/[^A-Za-z0-9-]/g, '-'),
      Provider: 'nomad',
      ...(portLabel ? { PortLabel: portLabel } : {}),
      Checks: checks,
    },
  ];
}

function task(app: ExportApp, opts: ExportOptions, notes: string[]): Record<string, unknown> {
  const c = app.config;
  const driver = opts.image ? 'docker' : (opts.driver ?? 'raw_exec');
  const [cmd = '', ...args] = commandLine(c, driver === 'docker');
  const { plain, secret } = splitEnv(c.env);
  const env: Record<string, string> = Object.fromEntries(plain);
  env[c.instance_var] = '${NOMAD_ALLOC_INDEX}';
  const templates =
    secret.length > 0
      ? [
          {
            // Secret values are not written into the job: they come from a Nomad variable.
            DestPath: 'secrets/env',
            Envvars: true,
            EmbeddedTmpl: `{{ with nomadVar "nomad/jobs/${jobName(c)}" }}\n${secret.map(([k]) => `${k}={{ .${k} }}`).join('\n')}\n{{ end }}\n`,
          },
        ]
      : [];
  if (secret.length > 0)
    notes.push(
      `env: ${secret.map(([k]) => k).join(', ')} look secret: read from the Nomad variable nomad/jobs/${jobName(c)} (set it with \`nomad var put\`)`,
    );
  const config = opts.image
    ? { image: opts.image, command: cmd, args, work_dir: c.pm_cwd }
    : { command: cmd, args, work_dir: c.pm_cwd };
  return {
    Name: c.name,
    Driver: driver,
    Config: config,
    Env: env,
    ...(templates.length > 0 ? { Templates: templates } : {}),
    ...(c.uid !== null ? { User: c.username } : {}),
    KillSignal: c.kill_signal,
    KillTimeout: c.kill_timeout * NS,
    Resources: {
      CPU: 100,
      // Without memory oversubscription, MemoryMB is both the reservation and the hard limit.
      MemoryMB: c.max_memory_restart !== null ? Math.ceil(c.max_memory_restart / 1048576) : 256,
    },
  };
}

const jobName = (c: AppConfig): string => (isCronJob(c) ? `${c.namespace}-${c.name}` : c.namespace);

function group(app: ExportApp, opts: ExportOptions, notes: string[]): Record<string, unknown> {
  const c = app.config;
  const loopback = loopbackProbeNote(c);
  if (loopback) notes.push(loopback);
  const inst = fleetInstances(app, opts);
  if (inst.note) notes.push(inst.note);
  const ports = appPorts(app);
  const batch = isCronJob(c);
  const restart = c.autorestart
    ? {
        Attempts: c.restart_limit > 0 ? c.restart_limit : 1_000_000,
        Interval: c.restart_limit_window * NS,
        Delay: c.restart_delay * NS,
        Mode: 'fail',
      }
    : { Attempts: 0, Interval: c.restart_limit_window * NS, Delay: 0, Mode: 'fail' };
  const backoff = c.exp_backoff_restart_delay;
  const reschedule = !c.autorestart
    ? { Attempts: 0, Unlimited: false }
    : {
        Unlimited: true,
        DelayFunction: backoff > 0 ? 'exponential' : 'constant',
        Delay: (backoff > 0 ? backoff : Math.max(c.restart_delay, 5000)) * NS,
        ...(backoff > 0 ? { MaxDelay: 15_000 * NS } : {}),
      };
  return {
    Name: c.name,
    Count: batch ? 1 : c.autostart ? inst.count : 0,
    ...(ports.length > 0
      ? { Networks: [{ ReservedPorts: ports.map((p) => ({ Label: `port${p}`, Value: p, To: p })) }] }
      : {}),
    RestartPolicy: restart,
    ...(batch ? {} : { ReschedulePolicy: reschedule }),
    ...(batch ? {} : { Services: services(app, ports, notes) }),
    Tasks: [task(app, opts, notes)],
  };
}

/**
 * The Nomad jobs of some apps: one service job per Steward namespace with a group per app, and one
 * periodic batch job per cron app (periodic is a property of a whole job in Nomad).
 */
export function nomadJobs(
  apps: readonly ExportApp[],
  opts: ExportOptions,
): Array<{ job: Record<string, unknown>; notes: string[] }> {
  const jobs = new Map<
    string,
    { job: Record<string, unknown>; groups: Record<string, unknown>[]; notes: string[] }
  >();
  for (const app of apps) {
    const c = app.config;
    const id = jobName(c);
    let j = jobs.get(id);
    if (!j) {
      const groups: Record<string, unknown>[] = [];
      const job: Record<string, unknown> = {
        ID: id,
        Name: id,
        Meta: { 'steward-namespace': c.namespace },
        Type: isCronJob(c) ? 'batch' : 'service',
        Datacenters: ['*'],
        ...(isCronJob(c)
          ? {
              Periodic: {
                Enabled: c.autostart,
                SpecType: 'cron',
                Spec: c.cron_restart ?? '',
                ProhibitOverlap: true,
              },
            }
          : {}),
        TaskGroups: groups,
      };
      j = { job, groups, notes: [] };
      jobs.set(id, j);
    }
    const notes: string[] = [];
    if (!isCronJob(c) && c.cron_restart !== null)
      notes.push(
        `cron_restart: a periodic restart ("${c.cron_restart}") has no Nomad equivalent for a service; not generated`,
      );
    if (!c.autorestart && !isCronJob(c))
      notes.push('autorestart: false: the task is not restarted, the job stays dead');
    j.groups.push(group(app, opts, notes));
    j.notes.push(...header('nomad', app, NOMAD_RULES, notes, ''));
  }
  return [...jobs.values()].map(({ job, notes }) => ({ job, notes }));
}

/**
 * One `<job>.nomad.json` per job. JSON has no comments: the header lines are in the job's Meta
 * (`steward-export`), and the CLI prints them on stderr.
 */
export function exportNomad(apps: readonly ExportApp[], opts: ExportOptions): ExportResult {
  return {
    files: nomadJobs(apps, opts).map(({ job, notes }) => ({
      name: `${String(job.ID)}.nomad.json`,
      content: `${JSON.stringify({ Job: { ...job, Meta: { ...(job.Meta as object), 'steward-export': notes.join('\n') } } }, null, 2)}\n`,
    })),
  };
}
