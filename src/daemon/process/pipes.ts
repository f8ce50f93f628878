import { execFile } from 'node:child_process';
import { closeSync, constants, mkdirSync, openSync, readdirSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { messageOf } from '../../common/errors.js';

/**
 * Kernel pipes for the apps' stdout and stderr, instead of the socketpairs that libuv gives a
 * child for `stdio: 'pipe'`.
 *
 * Why: a Unix socket charges every write its full buffer overhead (~900 bytes for a 100-byte
 * line), so a socketpair fills after ~250 lines and an app logging line by line keeps blocking
 * until the daemon reads. A pipe packs small writes into 64 KiB of pages. Measured on 200 000
 * lines of 100 bytes (bench/cases/logs.js workload): socketpair 940 ms and 280 ms of reader CPU,
 * pipe 570 ms and 100 ms, writing straight to a file 555 ms.
 *
 * Node has no pipe(2), so the pipes are named ones: `mkfifo` makes a batch of them ahead of time
 * in a private directory (one short process per batch, never on the start path once warm); each is
 * opened at both ends and unlinked at once, which leaves an anonymous pipe. Without mkfifo the
 * daemon falls back to libuv's socketpairs (and says so once in its log).
 */
export class PipeMaker {
  private ready: string[] = [];
  private serial = 0;
  private filling: Promise<void> | null = null;
  private broken = false;

  constructor(
    private readonly dir: string,
    private readonly log: (msg: string) => void,
    private readonly batch = 32,
  ) {
    // FIFOs left by a daemon that was killed.
    rmSync(dir, { recursive: true, force: true });
  }

  /** Makes the first batch in the background, so that the first start does not wait for it. */
  warm(): void {
    void this.fill();
  }

  private fill(): Promise<void> {
    this.filling ??= new Promise<void>((resolve) => {
      try {
        mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      } catch (e) {
        this.disable(messageOf(e));
        resolve();
        return;
      }
      const names = Array.from({ length: this.batch }, () => join(this.dir, String((this.serial += 1))));
      execFile('mkfifo', ['-m', '600', ...names], (err) => {
        if (err) this.disable(err.message.split('\n')[0] ?? 'mkfifo failed');
        else this.ready.push(...names);
        this.filling = null;
        resolve();
      });
    });
    return this.filling;
  }

  private disable(why: string): void {
    if (!this.broken)
      this.log(`warning: no FIFOs for app output (${why}); using socketpairs, slower for chatty apps`);
    this.broken = true;
  }

  /**
   * A new pipe: `read` for the daemon (non-blocking), `write` for the child's stdio (the caller
   * closes both fds when done). Null when pipes are not available.
   */
  async pipe(): Promise<{ read: number; write: number } | null> {
    while (!this.broken) {
      const path = this.ready.pop();
      if (path === undefined) {
        await this.fill();
        continue;
      }
      if (this.ready.length < this.batch / 4) void this.fill();
      let r: number | null = null;
      try {
        r = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
        // Does not block: the read end is open.
        const w = openSync(path, constants.O_WRONLY);
        unlinkSync(path);
        return { read: r, write: w };
      } catch (e) {
        if (r !== null) closeSync(r);
        this.disable(messageOf(e));
      }
    }
    return null;
  }

  /** Removes the FIFOs not used (daemon shutdown). */
  close(): void {
    for (const p of this.ready.splice(0)) {
      try {
        unlinkSync(p);
      } catch {
        // gone
      }
    }
    try {
      if (readdirSync(this.dir).length === 0) rmSync(this.dir, { recursive: true, force: true });
    } catch {
      // never made
    }
  }
}
