import { spawn } from 'node:child_process';
import { basename, dirname, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { StewardError, isStewardError } from '../common/errors.js';
import { readConfigFile } from '../config/ecosystem-load.js';
import { describeTarget } from '../ssh/target.js';
import { runFleet, summaryTable, type HostResult } from './fleet.js';
import { execHost, listHost, revertHost, setupHost, type ReleaseRow } from './host-commands.js';
import type { HostContext, HostReport } from './host-context.js';
import { HostSession } from './host-session.js';
import { Interrupt } from './interrupt.js';
import { newLockOwner } from './lock.js';
import { DeployOutput } from './output.js';
import type { PlanInput } from './plan.js';
import { appNames, readDeploySection, type DeploySection } from './section.js';
import { updateHost } from './update.js';

export type DeployCommand =
  | { kind: 'setup' }
  | { kind: 'update'; ref?: string | undefined }
  | { kind: 'revert'; n: number }
  | { kind: 'list' }
  | { kind: 'curr' }
  | { kind: 'prev' }
  | { kind: 'exec'; command: string };

export interface DeployRequest {
  file: string;
  envName: string;
  command: DeployCommand;
  /** Hosts at a time (default: all). */
  parallel?: number | undefined;
  canary?: boolean | undefined;
  /** Overrides the section's health_window (ms). */
  healthWindowMs?: number | undefined;
  warn(message: string): void;
}

/** `steward deploy`: reads the section, runs the command on every host, prints the summary. */
export async function runDeploy(req: DeployRequest): Promise<void> {
  const { value, abs } = await readConfigFile(req.file, process.cwd());
  const { section, warnings } = readDeploySection(value, req.envName, req.file);
  for (const w of warnings) req.warn(w);
  if (req.healthWindowMs !== undefined) section.healthWindowMs = req.healthWindowMs;
  const out = new DeployOutput(req.envName);
  const labels = uniqueLabels(section);
  out.setHosts([...labels, 'local']);
  const plan: PlanInput = { section, fileName: basename(abs), owner: newLockOwner() };
  const apps = appNames(value);
  const interrupt = new Interrupt(() =>
    process.stderr.write(
      '[steward] interrupted: each host finishes its current step, then undoes what it started (Ctrl-C again to quit now)\n',
    ),
  );
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

  const withHost = async <T>(label: string, i: number, fn: (h: HostContext) => Promise<T>): Promise<T> => {
    const target = section.hosts[i] ?? { host: label };
    const session = new HostSession(
      target,
      { key: section.key, options: section.sshOptions, configFile: section.sshConfig },
      (line, stream) => out.host(label, line, stream),
    );
    try {
      await session.connect();
      return await fn({ label, session, plan, apps, out, interrupt });
    } finally {
      await session.close();
    }
  };

  const cmd = req.command;
  if (cmd.kind === 'list' || cmd.kind === 'curr' || cmd.kind === 'prev') {
    const results = await runFleet(labels, { parallel: labels.length, canary: false }, (label, i) =>
      withHost(label, i, listHost),
    );
    for (const r of results) if (r.status === 'ok') printReleases(out, r.label, section, r.value, cmd.kind);
    throwIfFailed(results, req.envName);
    return;
  }

  if (cmd.kind === 'update' && section.hooks['pre-deploy-local'])
    await runLocalHook(out, section.hooks['pre-deploy-local'], dirname(abs), section.env);

  const ref = cmd.kind === 'update' && cmd.ref ? cmd.ref : section.ref;
  const op = operation(cmd, ref, stamp);
  interrupt.install();
  let results: Array<HostResult<HostReport>>;
  try {
    results = await runFleet<HostReport>(
      labels,
      {
        parallel: req.parallel ?? labels.length,
        canary: req.canary === true,
        stop: () => interrupt.requested,
      },
      (label, i) => withHost(label, i, op),
    );
  } finally {
    interrupt.uninstall();
  }
  out.plain('');
  out.plain(summaryTable(results));
  out.log(`local log: ${out.logFile}`);
  throwIfFailed(results, req.envName);
}

type HostCommand = Exclude<DeployCommand, { kind: 'list' | 'curr' | 'prev' }>;

/** What a command does on one host. */
function operation(cmd: HostCommand, ref: string, stamp: string): (h: HostContext) => Promise<HostReport> {
  switch (cmd.kind) {
    case 'setup':
      return setupHost;
    case 'update':
      return (h) => updateHost(h, ref, stamp);
    case 'revert':
      return (h) => revertHost(h, cmd.n);
    case 'exec':
      return (h) => execHost(h, cmd.command);
  }
}

/** Host labels for prefixes and the summary (`user@host:port`), made unique. */
function uniqueLabels(section: DeploySection): string[] {
  const seen = new Map<string, number>();
  return section.hosts.map((t) => {
    const base = describeTarget(t);
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}#${n}`;
  });
}

/** One host's failure is its own error; several are counted, the first one named. */
function throwIfFailed<T>(results: Array<HostResult<T>>, envName: string): void {
  const failed = results.filter((r) => r.status === 'failed');
  const first = failed[0];
  if (!first) return;
  const err = first.error;
  if (results.length === 1 || failed.length === 1) throw err;
  const e = isStewardError(err) ? err : undefined;
  throw new StewardError(
    e?.code ?? 'E_DEPLOY',
    `deploy to ${envName} failed on ${failed.length} of ${results.length} hosts; first: ${e?.message ?? String(err)}`,
    { hint: e?.hint ?? 'see the output above' },
  );
}

function printReleases(
  out: DeployOutput,
  label: string,
  section: DeploySection,
  rows: ReleaseRow[],
  kind: 'list' | 'curr' | 'prev',
): void {
  const live = rows.findIndex((r) => r.live);
  let shown = rows;
  if (kind === 'curr') shown = live >= 0 ? [rows[live] as ReleaseRow] : [];
  if (kind === 'prev') shown = live >= 1 ? [rows[live - 1] as ReleaseRow] : [];
  if (shown.length === 0) {
    out.host(
      label,
      kind === 'list'
        ? `no release in ${section.path}`
        : `no ${kind === 'curr' ? 'current' : 'previous'} release`,
    );
    return;
  }
  for (const r of shown)
    out.host(
      label,
      `${r.live ? '*' : ' '} ${r.name}  ${r.ref || '-'}  ${r.sha.slice(0, 12) || '-'}  ${r.time || '-'}${r.live ? '  (live)' : ''}`,
    );
}

/** PM2's pre-deploy-local: a command run here, in the ecosystem file's directory, before any host. */
function runLocalHook(
  out: DeployOutput,
  command: string,
  cwd: string,
  env: Record<string, string>,
): Promise<void> {
  out.host('local', `--> pre-deploy-local: ${command}`);
  const child = spawn('bash', ['-c', command], {
    cwd: resolve(cwd),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: child.stdout }).on('line', (l) => out.host('local', l));
  createInterface({ input: child.stderr }).on('line', (l) => out.host('local', l, 'err'));
  return new Promise((res, rej) => {
    child.on('error', rej);
    child.on('close', (code) =>
      code === 0
        ? res()
        : rej(
            new StewardError(
              'E_DEPLOY',
              `the pre-deploy-local hook failed (exit ${code ?? 'signal'}); no host was touched`,
              {
                hint: 'its output is above; fix the hook',
              },
            ),
          ),
    );
  });
}
