import { systemdWord } from '../startup/templates.js';
import { COMMON_RULES } from './common-rules.js';
import { cronToCalendar } from './cron-calendar.js';
import {
  commandLine,
  fleetInstances,
  header,
  isCronJob,
  splitEnv,
  withIgnored,
  type ExportApp,
  type ExportFile,
  type ExportOptions,
  type ExportResult,
  type MappingTable,
} from './mapping.js';

export const SYSTEMD_RULES: MappingTable = withIgnored({
  ...COMMON_RULES,
  namespace: { to: 'the Description= of the unit' },
  cwd: { to: 'WorkingDirectory=' },
  exec_mode: { to: 'one process per unit: cluster mode becomes instances of a template unit' },
  instances: { to: 'a template unit app@.service and app.target starting app@0…app@N-1' },
  instance_var: { to: 'Environment=NODE_APP_INSTANCE=%i (the instance name)' },
  increment_var: { none: 'systemd cannot add the instance number to a value; read the instance variable' },
  autorestart: { to: 'Restart=always, or Restart=no' },
  autostart: { to: 'false: no [Install] section (the unit is not enabled)' },
  stop_exit_codes: { to: 'RestartPreventExitStatus= and SuccessExitStatus=' },
  restart_delay: { to: 'RestartSec=' },
  exp_backoff_restart_delay: {
    none: 'RestartSteps=/RestartMaxDelaySec= need systemd 254; RestartSec= is fixed',
  },
  restart_limit: { to: 'StartLimitBurst=' },
  restart_limit_window: { to: 'StartLimitIntervalSec=' },
  kill_timeout: { to: 'TimeoutStopSec=' },
  kill_signal: { to: 'KillSignal=' },
  treekill: { to: 'KillMode=control-group (true) or KillMode=process (false)' },
  uid: { to: 'User= (not with --user)' },
  gid: { to: 'Group= (not with --user)' },
  out_file: { to: 'StandardOutput=append:<file> (default: the journal)' },
  error_file: { to: 'StandardError=append:<file> (default: the journal)' },
  log_file: { none: 'systemd writes stdout and stderr to separate places; the journal has both' },
  disable_logs: { to: 'StandardOutput=null and StandardError=null' },
  listen: { to: 'a .socket unit with ListenStream= (the app gets LISTEN_FDS, as under Steward)' },
  ready_probe: { none: 'systemd has no readiness probes (Type=notify needs sd_notify from the app)' },
  health_check: { none: 'systemd has no liveness probes (WatchdogSec= needs sd_notify from the app)' },
  max_memory_restart: { to: 'MemoryMax= (the kernel kills the service past it; Restart= restarts it)' },
  cron_restart: { to: 'a .timer: starts a cron app, or restarts a running one through app-restart.service' },
  port: { to: 'PORT in Environment=' },
});

const ms = (n: number) => `${n}ms`;
const env = (k: string, v: string) => `Environment=${systemdWord(`${k}=${v}`, false)}`;

/** A unit name from an app name: characters systemd does not allow become `-`. */
export function unitName(s: string): string {
  return s.replace(/[^A-Za-z0-9:_.\\-]/g, '-');
}

function serviceUnit(app: ExportApp, opts: ExportOptions, template: boolean, notes: string[]): string[] {
  const c = app.config;
  const name = unitName(c.name);
  const [cmd = '', ...args] = commandLine(c);
  // systemd expands $VAR in the arguments, not in the executable path; % specifiers everywhere.
  const exec = [systemdWord(cmd, false), ...args.map((a) => systemdWord(a, true))].join(' ');
  if (!cmd.startsWith('/'))
    notes.push(`script: "${cmd}" is found by systemd in its own PATH (/usr/local/bin:/usr/bin:/bin)`);
  const split = splitEnv(c.env);
  // systemd takes shell identifiers only (it ignores `A-B=1` with a warning): say so, not silently.
  const valid = ([k]: [string, string]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k);
  const plain = split.plain.filter(valid);
  const secret = split.secret.filter(valid);
  const invalid = [...split.plain, ...split.secret].filter((e) => !valid(e)).map(([k]) => k);
  if (invalid.length > 0)
    notes.push(`env: ${invalid.join(', ')}: not valid variable names for systemd; left out`);
  const cron = isCronJob(c);
  const lines = [
    '[Unit]',
    `Description=${`${c.name} (Steward app, namespace ${c.namespace})`.replace(/%/g, '%%')}${template ? ' #%i' : ''}`,
    'After=network.target',
    ...(template ? [`PartOf=${name}.target`] : []),
    ...(c.listen.length > 0 ? [`Requires=${name}.socket`, `After=${name}.socket`] : []),
    `StartLimitIntervalSec=${c.restart_limit > 0 ? ms(c.restart_limit_window) : '0'}`,
    ...(c.restart_limit > 0 ? [`StartLimitBurst=${c.restart_limit}`] : []),
    '',
    '[Service]',
    `Type=${cron ? 'oneshot' : 'simple'}`,
    `ExecStart=${exec}`,
    `WorkingDirectory=${systemdWord(c.pm_cwd, false)}`,
    ...plain.map(([k, v]) => env(k, v)),
    // %i (the instance name: 0, 1…) is a specifier: not escaped.
    template ? `Environment=${systemdWord(c.instance_var, false)}=%i` : env(c.instance_var, '0'),
    ...(secret.length > 0 ? [`EnvironmentFile=%E/steward/${name}.env`] : []),
    ...(c.listen.length > 0 ? [`Sockets=${name}.socket`] : []),
    ...(opts.user
      ? []
      : [
          ...(c.uid !== null
            ? [`User=${systemdWord(typeof app.raw.uid === 'string' ? app.raw.uid : String(c.uid), false)}`]
            : []),
          ...(c.gid !== null
            ? [`Group=${systemdWord(typeof app.raw.gid === 'string' ? app.raw.gid : String(c.gid), false)}`]
            : []),
        ]),
    `Restart=${c.autorestart && !cron ? 'always' : 'no'}`,
    `RestartSec=${ms(c.restart_delay)}`,
    ...(c.stop_exit_codes.length > 0
      ? [
          `RestartPreventExitStatus=${c.stop_exit_codes.join(' ')}`,
          `SuccessExitStatus=${c.stop_exit_codes.join(' ')}`,
        ]
      : []),
    ...(c.max_memory_restart !== null ? [`MemoryMax=${c.max_memory_restart}`] : []),
    `KillSignal=${c.kill_signal}`,
    `KillMode=${c.treekill ? 'control-group' : 'process'}`,
    `TimeoutStopSec=${ms(c.kill_timeout)}`,
    ...(c.disable_logs
      ? ['StandardOutput=null', 'StandardError=null']
      : [logLine('StandardOutput', c.out_file), logLine('StandardError', c.error_file)].filter(
          (l) => l !== '',
        )),
  ];
  if (opts.user && (c.uid !== null || c.gid !== null))
    notes.push('uid/gid: a user unit runs as its user; User=/Group= left out');
  if (secret.length > 0)
    notes.push(
      `env: ${secret.map(([k]) => k).join(', ')} look secret: in ${name}.env, to install as ${opts.user ? '~/.config' : '/etc'}/steward/${name}.env (mode 600)`,
    );
  const install =
    !template && !cron && c.autostart
      ? ['', '[Install]', `WantedBy=${opts.user ? 'default.target' : 'multi-user.target'}`]
      : [];
  return [...lines, ...install];
}

function logLine(key: string, file: string | null): string {
  if (file === null) return `${key}=null`;
  return file === '' ? '' : `${key}=append:${systemdWord(file, false)}`;
}

function unit(app: ExportApp, notes: string[], body: string[]): string {
  return `${[...header('systemd', app, SYSTEMD_RULES, notes), '', ...body].join('\n')}\n`;
}

function timer(description: string, calendar: string, unitName: string): string {
  return `${[
    '[Unit]',
    `Description=${description}`,
    '',
    '[Timer]',
    `OnCalendar=${calendar}`,
    `Unit=${unitName}`,
    '',
    '[Install]',
    'WantedBy=timers.target',
  ].join('\n')}\n`;
}

/** The units of one app: its service (or template and target), and its socket and timer. */
export function systemdUnits(app: ExportApp, opts: ExportOptions): ExportFile[] {
  const c = app.config;
  const name = unitName(c.name);
  const notes: string[] = [];
  const inst = fleetInstances(app, opts);
  if (inst.note) notes.push(inst.note);
  const cron = isCronJob(c);
  const template = !cron && inst.count > 1;
  const files: ExportFile[] = [];
  let calendar: string | undefined;
  if (c.cron_restart !== null) {
    const cal = cronToCalendar(c.cron_restart);
    if (cal.note) notes.push(cal.note);
    calendar = cal.calendar;
  }
  const service = serviceUnit(app, opts, template, notes);
  const serviceName = template ? `${name}@.service` : `${name}.service`;
  if (c.listen.length > 0) {
    files.push({
      name: `${name}.socket`,
      content: `${[
        '[Unit]',
        `Description=Sockets of ${name}`,
        '',
        '[Socket]',
        ...c.listen.map((l) => `ListenStream=${l}`),
        // Steward binds once and shares the sockets with every instance; so does systemd.
        ...(template ? [`Service=${name}@0.service`] : []),
        '',
        '[Install]',
        'WantedBy=sockets.target',
      ].join('\n')}\n`,
    });
  }
  if (template) {
    const wants = Array.from({ length: inst.count }, (_, i) => `${name}@${i}.service`);
    files.push({
      name: `${name}.target`,
      content: `${[
        `# ${name}: ${inst.count} instances of ${serviceName}; \`systemctl enable --now ${name}.target\`.`,
        '[Unit]',
        `Description=${name} (${inst.count} instances)`,
        `Wants=${wants.join(' ')}`,
        ...(c.autostart
          ? ['', '[Install]', `WantedBy=${opts.user ? 'default.target' : 'multi-user.target'}`]
          : []),
      ].join('\n')}\n`,
    });
  }
  if (calendar !== undefined && cron) {
    files.push({ name: `${name}.timer`, content: timer(`Schedule of ${name}`, calendar, `${name}.service`) });
  } else if (calendar !== undefined) {
    const target = template ? `${name}.target` : `${name}.service`;
    files.push({
      name: `${name}-restart.service`,
      content: `${[
        '[Unit]',
        `Description=Scheduled restart of ${name}`,
        '',
        '[Service]',
        'Type=oneshot',
        // Restarting the target restarts every instance (they are PartOf= it).
        `ExecStart=systemctl${opts.user ? ' --user' : ''} restart ${target}`,
      ].join('\n')}\n`,
    });
    files.push({
      name: `${name}-restart.timer`,
      content: timer(`Scheduled restart of ${name}`, calendar, `${name}-restart.service`),
    });
  }
  const secret = splitEnv(c.env).secret.filter(([k]) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k));
  if (secret.length > 0)
    files.push({
      name: `${name}.env`,
      content: `${secret.map(([k, v]) => `${k}=${JSON.stringify(v)}`).join('\n')}\n`,
      secret: true,
    });
  return [{ name: serviceName, content: unit(app, notes, service) }, ...files];
}

export function exportSystemd(apps: readonly ExportApp[], opts: ExportOptions): ExportResult {
  return { files: apps.flatMap((a) => systemdUnits(a, opts)) };
}
