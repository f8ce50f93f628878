import type { Client } from '../../client/client.js';
import { messageOf } from '../../common/errors.js';
import type { LogInfo, OpResult, ProcSummary } from '../../protocol/methods.js';
import { mergeTails, tailLines } from '../logs/tail.js';
import { LOG_LINES_PER_APP, type LogLine } from './buffers.js';
import type { Op } from './keys.js';

/**
 * What the dashboard asks of the daemon besides polling: the actions of the r/s/l keys on one
 * process, and the end of a process's log files for its first selection.
 */

const VERBS: Record<Op, [doing: string, done: string]> = {
  restart: ['restarting', 'restarted'],
  stop: ['stopping', 'stopped'],
  reload: ['reloading', 'reloaded'],
};

export interface OpOutcome {
  text: string;
  error: boolean;
}

/** Why `op` must not be sent for this process, or undefined when it can be. */
export function refuseOp(op: Op, p: ProcSummary, all: readonly ProcSummary[]): string | undefined {
  const id = String(p.pm_id);
  // Targets resolve by name and namespace before ids (as in PM2): refuse rather than hit others.
  if (all.some((q) => q.name === id || q.namespace === id))
    return `cannot ${op} id ${id} alone: an app or namespace is named "${id}"`;
  return undefined;
}

export function opPending(op: Op, p: ProcSummary): string {
  return `${VERBS[op][0]} ${p.name} (id ${p.pm_id})…`;
}

/** Runs `op` on this one process (by id); never throws: the outcome is a line for the footer. */
export async function runOp(client: Client, op: Op, p: ProcSummary, cwd: string): Promise<OpOutcome> {
  const params = { targets: [String(p.pm_id)], cwd };
  try {
    const res: OpResult =
      op === 'stop'
        ? await client.call('stop', { ...params })
        : op === 'restart'
          ? await client.call('restart', { ...params, update_env: false })
          : await client.call('reload', { ...params, update_env: false });
    const failed = res.failed?.[0];
    if (failed) return { text: `${op} of ${p.name} failed: ${failed.reason}`, error: true };
    return { text: `${VERBS[op][1]} ${p.name} (id ${p.pm_id})`, error: false };
  } catch (e) {
    return { text: `${op} of ${p.name} failed: ${messageOf(e)}`, error: true };
  }
}

/** The last lines of a process's log files (stdout and stderr merged in time order); [] if none. */
export async function pastLines(client: Client, pm_id: number, cwd: string): Promise<LogLine[]> {
  let infos: LogInfo[];
  try {
    infos = await client.call('logInfo', { targets: [String(pm_id)], cwd });
  } catch {
    return [];
  }
  const info = infos.find((i) => i.pm_id === pm_id);
  if (!info) return [];
  const paths = info.out || info.err ? [info.out, info.err] : [info.combined, null];
  const files = paths
    .map((path, n) => ({ path, err: n === 1 }))
    .filter((s): s is { path: string; err: boolean } => s.path !== null);
  const tails = client.remote
    ? await client
        .call('logTail', { files: files.map((s) => s.path), lines: LOG_LINES_PER_APP })
        .catch(() => [])
    : files.map((s) => tailLines(s.path, LOG_LINES_PER_APP));
  const merged = mergeTails(tails, LOG_LINES_PER_APP);
  return merged.map((l) => ({ text: l.text, err: files[l.source]?.err ?? false, at: l.at }));
}
