import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Open log files, shared by path: instances with `merge_logs` write to one file through one stream,
 * so their lines never interleave mid-line at the fd level. Files are opened in append mode, 0600.
 */
export class LogFiles {
  private readonly open = new Map<string, { stream: WriteStream; refs: number }>();
  /** Bytes dropped because a stream failed (disk full, permissions). Reported in `show`. */
  dropped = 0;

  constructor(private readonly onError: (path: string, err: Error) => void) {}

  /** Opens (or shares) the file. Throws when its directory cannot be created. */
  acquire(path: string): void {
    const cur = this.open.get(path);
    if (cur) {
      cur.refs += 1;
      return;
    }
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.open.set(path, { stream: this.create(path), refs: 1 });
  }

  private create(path: string): WriteStream {
    const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
    // A failed stream stays failed: its writes are counted as dropped until reopened.
    stream.on('error', (err) => this.onError(path, err));
    return stream;
  }

  release(path: string): void {
    const cur = this.open.get(path);
    if (!cur) return;
    cur.refs -= 1;
    if (cur.refs <= 0) {
      this.open.delete(path);
      cur.stream.end();
    }
  }

  write(path: string, chunk: Buffer): void {
    const stream = this.open.get(path)?.stream;
    if (!stream || stream.destroyed || stream.errored) {
      this.dropped += chunk.length;
      return;
    }
    stream.write(chunk);
  }

  /** Reopens every file (after an external logrotate moved them). */
  reopenAll(): void {
    for (const [path, entry] of this.open) {
      const old = entry.stream;
      entry.stream = this.create(path);
      old.end();
    }
  }

  closeAll(): Promise<void> {
    const ends = [...this.open.values()].map(
      (e) => new Promise<void>((resolve) => e.stream.end(() => resolve())),
    );
    this.open.clear();
    return Promise.all(ends).then(() => undefined);
  }
}
