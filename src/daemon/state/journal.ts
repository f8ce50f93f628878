import { messageOf } from '../../common/errors.js';
import { stewardVersion } from '../../common/version.js';
import type { InstanceSnapshot } from '../lifecycle/instance.js';
import { serialize, writeSnapshot } from './persistence.js';

/**
 * Bursts of changes (`delete all` of 200 apps) are written as a few journal writes. Changes are
 * also written before the daemon answers a request (`flush`): a `start` that returned before the
 * app's first 100 ms were over would otherwise be forgotten by a daemon killed right after it
 * (recovery ends leftover processes that the journal does not name).
 */
const JOURNAL_COALESCE_MS = 100;

/** The live table in `state.json`, rewritten (atomically) after changes, for recovery after a crash. */
export class Journal {
  private pending = false;
  private frozen = false;

  constructor(
    private readonly path: string,
    private readonly snapshots: () => InstanceSnapshot[],
    private readonly log: (msg: string) => void,
  ) {}

  /** Something changed: write within JOURNAL_COALESCE_MS. */
  changed(): void {
    if (this.pending) return;
    this.pending = true;
    setTimeout(() => this.write(), JOURNAL_COALESCE_MS);
  }

  /** Writes now if a change is waiting (before a reply, so that what a client was told survives). */
  flush(): void {
    if (this.pending) this.write();
  }

  /** Writes now (with `handover` when the table is handed to the next daemon on purpose). */
  write(handover?: string): void {
    this.pending = false;
    if (this.frozen) return;
    try {
      const text = serialize(this.snapshots(), stewardVersion(), Date.now(), false, handover);
      writeSnapshot(this.path, text, undefined, false);
    } catch (e) {
      this.log(`journal: ${messageOf(e)}`);
    }
  }

  /** From now on the file stays as it is (the daemon is stopping). */
  freeze(): void {
    this.frozen = true;
  }

  /** Writes once more even if frozen (an emptied table after `steward kill`), then stays frozen. */
  writeFinal(): void {
    this.frozen = false;
    this.write();
    this.frozen = true;
  }
}
