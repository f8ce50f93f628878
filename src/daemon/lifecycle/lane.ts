import { StewardError } from '../../common/errors.js';

/**
 * One operation at a time, for one instance (or one app, for group operations). The overlap rule:
 *
 * - A `queue` operation (start, restart, reload, the restart timer, guard restarts, scale) waits
 *   for the ones before it.
 * - A `supersede` operation (stop, delete, daemon shutdown) interrupts the running `queue`
 *   operation, which ends at its next step (after cleaning up what it started), and cancels the
 *   waiting ones; their callers get E_SUPERSEDED. Then it runs. Superseding operations never
 *   interrupt each other: a second stop waits for the first.
 * - Once closed (the instance is being deleted, or the daemon is shutting down), every new
 *   operation is refused with E_GONE: "cannot reload api: it is being deleted".
 */
export type OpKind = 'queue' | 'supersede';

interface Entry {
  name: string;
  kind: OpKind;
  controller: AbortController;
  /** Rejects a waiting entry at once when it is cancelled. */
  cancel: (e: StewardError) => void;
  started: boolean;
}

export class Lane {
  private tail: Promise<unknown> = Promise.resolve();
  private readonly entries = new Set<Entry>();
  private closedWhy: string | undefined;

  /** `label` names the subject in messages ("api (id 3)"). */
  constructor(private readonly label: () => string) {}

  /** Runs `fn` in turn. Its signal aborts when a superseding operation comes after it. */
  run<T>(name: string, kind: OpKind, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    if (this.closedWhy !== undefined) {
      return Promise.reject(
        new StewardError('E_GONE', `cannot ${name} ${this.label()}: it ${this.closedWhy}`, {
          hint: 'run `steward ls` to see what is there now',
        }),
      );
    }
    if (kind === 'supersede') this.interrupt(name);
    let cancel: (e: StewardError) => void = () => undefined;
    const cancelled = new Promise<never>((_, reject) => {
      cancel = reject;
    });
    const entry: Entry = { name, kind, controller: new AbortController(), cancel, started: false };
    this.entries.add(entry);
    const turn = this.tail.then(async () => {
      if (entry.controller.signal.aborted) throw entry.controller.signal.reason;
      entry.started = true;
      return fn(entry.controller.signal);
    });
    const done = turn.finally(() => this.entries.delete(entry));
    // The next operation waits for this one however it ends.
    this.tail = done.catch(() => undefined);
    // A cancelled waiting entry rejects at once; `done` settles later and is then ignored.
    done.catch(() => undefined);
    return Promise.race([done, cancelled]);
  }

  /**
   * Interrupts the running `queue` operation and cancels the waiting ones, without queueing
   * anything (an app-level stop or delete uses this, then acts on each instance's own lane).
   */
  interrupt(by: string): void {
    for (const e of this.entries) {
      if (e.kind !== 'queue') continue;
      const err = new StewardError(
        'E_SUPERSEDED',
        `${e.name} of ${this.label()} ${e.started ? 'interrupted' : 'cancelled'}: ${by} came after it`,
        { hint: 'run the command again once the other one is done' },
      );
      e.controller.abort(err);
      if (!e.started) e.cancel(err);
    }
  }

  /** Refuses every operation from now on (`why`: "is being deleted"). */
  close(why: string): void {
    this.closedWhy = why;
  }

  /** Changes the reason given to refused callers ("was deleted" once the delete is done). */
  reason(why: string): void {
    if (this.closedWhy !== undefined) this.closedWhy = why;
  }

  /** Resolves once every operation queued so far has ended. */
  async idle(): Promise<void> {
    await this.tail;
  }
}

export const ABORTED: unique symbol = Symbol('aborted');

/** `p`, or ABORTED as soon as the signal aborts (whatever `p` does later is ignored). */
export function until<T>(signal: AbortSignal, p: Promise<T>): Promise<T | typeof ABORTED> {
  if (signal.aborted) return Promise.resolve(ABORTED);
  return new Promise((resolve, reject) => {
    const onAbort = () => resolve(ABORTED);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

/** Throws the signal's reason when it aborted (an interrupted operation reports it to its caller). */
export function checkpoint(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason;
}
