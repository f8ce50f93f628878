import { messageOf } from '../../common/errors.js';
import type { HomePaths } from '../../common/paths.js';
import { stewardVersion } from '../../common/version.js';
import type { Supervisor } from '../table/supervisor.js';
import { readSnapshot } from './persistence.js';
import { endLeftovers } from './recovery.js';

/**
 * Brings back the table a previous daemon journaled: first ends what it left running (recovery.ts),
 * then restores the instances with the same ids, options and counters. Returns what starts again
 * the ones that were running, to be called once the socket listens.
 */
export async function recoverTable(
  paths: HomePaths,
  supervisor: Supervisor,
  log: (msg: string) => void,
): Promise<() => void> {
  try {
    const journal = readSnapshot(paths.state);
    const handedOver = journal?.handover === 'update' ? journal.steward_version : null;
    const snaps = journal?.processes ?? [];
    const exclude = new Set([process.pid, process.ppid]);
    const grace = Math.min(5000, Math.max(1000, ...snaps.map((s) => s.config.kill_timeout)));
    const ended = await endLeftovers(snaps, paths.home, exclude, grace);
    if (ended > 0) log(`ended ${ended} leftover process(es) of a previous daemon`);
    const wasRunning = new Set(
      snaps.filter((s) => s.status !== 'stopped' && s.status !== 'errored').map((s) => s.pm_id),
    );
    const recovered = supervisor.restore(snaps, true).filter((i) => wasRunning.has(i.pm_id));
    return () => {
      for (const inst of recovered) {
        const started =
          handedOver !== null
            ? // `steward update`: the same list, ids and counters, under the new version.
              inst.start(`update from Steward ${handedOver} to ${stewardVersion()}`)
            : inst.start('recovered after the previous daemon died', { countRestart: true });
        started.catch((e: unknown) => log(`[${inst.config.name}:${inst.pm_id}] ${messageOf(e)}`));
      }
    };
  } catch (e) {
    log(`journal unusable, starting empty: ${messageOf(e)}`);
    return () => undefined;
  }
}
