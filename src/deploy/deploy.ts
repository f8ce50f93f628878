import { basename, dirname } from 'node:path';
import { StewardError, isStewardError } from '../common/errors.js';
import { readConfigFile } from '../config/ecosystem-load.js';
import { describeTarget } from '../ssh/target.js';
import { runFleet, summaryTable, type HostResult } from './fleet.js';
import { execHost, listHost, revertHost, setupHost } from './host-commands.js';
import type { HostContext, HostReport } from './host-context.js';
import { HostSession } from './host-session.js';
import { Interrupt } from './interrupt.js';
import { runLocalHook } from './local-hook.js';
import { newLockOwner } from './lock.js';
import { DeployOutput } from './output.js';
import type { PlanInput } from './plan.js';
import { printReleases } from './release-list.js';
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
  const d = await load(req);
  const cmd = req.command;
  if (cmd.kind === 'list' || cmd.kind === 'curr' || cmd.kind === 'prev') {
    const results = await runFleet(d.labels, { parallel: d.labels.length, canary: false }, (label, i) =>
      withHost(d, label, i, listHost),
    );
    for (const r of results)
      if (r.status === 'ok') printReleases(d.out, r.label, d.plan.section.path, r.value, cmd.kind);
    throwIfFailed(results, req.envName);
    return;
  }
  const hook = d.plan.section.hooks['pre-deploy-local'];
  if (cmd.kind === 'update' && hook) await runLocalHook(d.out, hook, d.fileDir, d.plan.section.env);

  const op = operation(cmd, cmd.kind === 'update' && cmd.ref ? cmd.ref : d.plan.section.ref, d.stamp);
  d.interrupt.install();
  let results: Array<HostResult<HostReport>>;
  try {
    results = await runFleet<HostReport>(
      d.labels,
      {
        parallel: req.parallel ?? d.labels.length,
        canary: req.canary === true,
        stop: () => d.interrupt.requested,
      },
      (label, i) => withHost(d, label, i, op),
    );
  } finally {
    d.interrupt.uninstall();
  }
  d.out.plain('');
  d.out.plain(summaryTable(results));
  d.out.log(`local log: ${d.out.logFile}`);
  throwIfFailed(results, req.envName);
}

/** Everything one deploy shares across its hosts. */
interface Deploy {
  plan: PlanInput;
  fileDir: string;
  labels: string[];
  apps: string[];
  out: DeployOutput;
  interrupt: Interrupt;
  /** The release names' time part: the same on every host. */
  stamp: string;
}

/** Reads the file and its section (every error before anything runs), and sets up the output. */
async function load(req: DeployRequest): Promise<Deploy> {
  const { value, abs } = await readConfigFile(req.file, process.cwd());
  const { section, warnings } = readDeploySection(value, req.envName, req.file);
  for (const w of warnings) req.warn(w);
  if (req.healthWindowMs !== undefined) section.healthWindowMs = req.healthWindowMs;
  const out = new DeployOutput(req.envName);
  const labels = uniqueLabels(section);
  out.setHosts([...labels, 'local']);
  return {
    plan: { section, fileName: basename(abs), owner: newLockOwner() },
    fileDir: dirname(abs),
    labels,
    apps: appNames(value),
    out,
    interrupt: new Interrupt(() =>
      process.stderr.write(
        '[steward] interrupted: each host finishes its current step, then undoes what it started (Ctrl-C again to quit now)\n',
      ),
    ),
    stamp: new Date()
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d+Z$/, 'Z'),
  };
}

/** Runs `fn` on host `i` over its own connection, opened first and always closed. */
async function withHost<T>(
  d: Deploy,
  label: string,
  i: number,
  fn: (h: HostContext) => Promise<T>,
): Promise<T> {
  const section = d.plan.section;
  const session = new HostSession(
    section.hosts[i] ?? { host: label },
    { key: section.key, options: section.sshOptions, configFile: section.sshConfig },
    (line, stream) => d.out.host(label, line, stream),
  );
  try {
    await session.connect();
    return await fn({ label, session, plan: d.plan, apps: d.apps, out: d.out, interrupt: d.interrupt });
  } finally {
    await session.close();
  }
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
