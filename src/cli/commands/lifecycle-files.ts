import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { StewardError } from '../../common/errors.js';
import type { ApplyAction, ProcSummary } from '../../protocol/methods.js';
import { isConfigFile } from '../../config/ecosystem-load.js';
import type { CliContext } from '../context.js';

/** Targets of lifecycle commands: ecosystem files, plain targets, and what a command reports. */

/**
 * The start window: an exit this soon after spawn is a failed start (STEWARD_START_SETTLE_MS overrides).
 * `start` returns once an app proves it is up; the daemon watches the rest (lifecycle/start-check.ts).
 */
export const SETTLE_MS = Number(process.env.STEWARD_START_SETTLE_MS ?? 300);

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Is this argument an ecosystem file (or `-` for stdin)? A config name that is not there is an error. */
function isFileTarget(arg: string, cwd: string): boolean {
  if (arg === '-') return true;
  if (!isConfigFile(arg)) return false;
  if (existsSync(resolve(cwd, arg))) return true;
  if (/\.(c|m)?js$/.test(arg) && !/config\.(c|m)?js$/.test(arg)) return false;
  throw new StewardError('E_CONFIG', `${arg}: file not found`, { hint: `looked in ${cwd}` });
}

/** Loads an ecosystem file (`-` reads stdin) the way every command does; prints its warnings. */
export async function loadFile(
  ctx: CliContext,
  file: string,
  opts: { only?: string | undefined; env?: string | undefined },
) {
  const { loadEcosystem, parseOnly } = await import('../../config/ecosystem.js');
  const loaded = await loadEcosystem(file, {
    cwd: process.cwd(),
    env: process.env,
    envName: opts.env,
    only: parseOnly(opts.only),
    cpus: availableParallelism(),
    stdinText: file === '-' ? await readStdin() : undefined,
  });
  for (const w of loaded.warnings) ctx.warn(w);
  return loaded;
}

/** Loads an ecosystem file and applies it; prints warnings and notes. */
export async function applyFile(
  ctx: CliContext,
  file: string,
  action: ApplyAction,
  opts: { only?: string; env?: string },
): Promise<void> {
  const loaded = await loadFile(ctx, file, opts);
  const c = await ctx.connect();
  ctx.info(`Applying ${action} to ${loaded.apps.map((a) => a.name).join(', ')} from ${loaded.file}`);
  const res = await c.call('apply', {
    apps: loaded.apps,
    action,
    settle_ms: action === 'stop' || action === 'delete' ? 0 : SETTLE_MS,
  });
  for (const n of res.notes) ctx.info(n);
  reportFailures(res.failed);
}

export function reportFailures(
  failed: Array<{ pm_id: number; name: string; exit: string; log_tail: string[] }>,
): void {
  if (failed.length === 0) return;
  for (const f of failed) {
    process.stderr.write(`[steward] ${f.name} (id ${f.pm_id}) exited right after start: ${f.exit}\n`);
    for (const l of f.log_tail) process.stderr.write(`  ${l}\n`);
  }
  const names = [...new Set(failed.map((f) => f.name))].join(', ');
  throw new StewardError('E_APP_CRASHED', `${names} exited within ${SETTLE_MS}ms of starting`, {
    hint: `see \`steward logs ${failed[0]?.name ?? ''}\` and \`steward show ${failed[0]?.name ?? ''}\``,
  });
}

/** Splits targets into ecosystem files and plain targets. */
export function splitTargets(targets: string[]): { files: string[]; plain: string[] } {
  const cwd = process.cwd();
  return {
    files: targets.filter((t) => isFileTarget(t, cwd)),
    plain: targets.filter((t) => !isFileTarget(t, cwd)),
  };
}

/** `stop all` with nothing managed: PM2's "No process found" and exit code 1. */
export function noneToActOn(targets: string[], procs: ProcSummary[]): void {
  if (procs.length === 0 && targets.every((t) => t === 'all')) {
    throw new StewardError('E_APP_NOT_FOUND', 'No process found', {
      hint: 'no apps are managed; start one with `steward start <script>`',
    });
  }
}

export function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v;
  return out;
}
