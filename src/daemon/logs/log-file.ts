import type * as Zlib from 'node:zlib';
import type * as StreamPromises from 'node:stream/promises';
import {
  createReadStream,
  createWriteStream,
  closeSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeSync,
  existsSync,
  type WriteStream,
} from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { messageOf } from '../../common/errors.js';
import { lazyBuiltin } from '../../common/lazy-builtin.js';

// Compression of rotated files only: most set-ups never load zlib (see lazy-builtin.ts).
const zlib = lazyBuiltin<typeof Zlib>('node:zlib');
const streams = lazyBuiltin<typeof StreamPromises>('node:stream/promises');

/** When and how a log file is rotated. maxSize 0 = never by size; interval null = never by time. */
export interface RotationPolicy {
  maxSize: number;
  retain: number;
  compress: boolean;
  interval: string | null;
}

export interface LogFileHooks {
  warn: (msg: string) => void;
  /** Where the output of a file that cannot be written goes (the daemon log). */
  fallback: (path: string, buf: Buffer) => void;
}

/** Bytes the daemon may hold for one slow file before it drops (and counts) output. */
export const MAX_BUFFERED = 16 * 1024 * 1024;
/**
 * Bytes waiting for the disk past which the daemon stops reading the app's pipe until they are
 * written (backpressure: the app's own writes then wait, as they would writing to a file), so
 * that the daemon's memory stays flat while an app logs faster than the disk takes it.
 */
export const PAUSE_AT = 256 * 1024;
/** A file that makes no progress for this long is stalled: reading resumes, and output past MAX_BUFFERED is dropped (and counted) rather than block the app for ever. */
export const STALL_MS = 2000;
const RETRY_MS = 5000;
const IDX_RECORD = 16;
const IDX_FLUSH_MS = 20;

/**
 * `api-out.log` rotated at 2026-11-22 16:45:00.123 → `api-out__2026-11-22_16-45-00-123.log`
 * (pm2-logrotate's names, plus milliseconds). Names sort in rotation order, collisions included
 * (`…-123_001.log` sorts after `…-123.log`), which retention and `steward logs` rely on.
 */
export function rotatedName(path: string, at: Date): string {
  const ext = extname(path);
  const base = path.slice(0, path.length - ext.length);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const stamp = `${at.getFullYear()}-${p(at.getMonth() + 1)}-${p(at.getDate())}_${p(at.getHours())}-${p(at.getMinutes())}-${p(at.getSeconds())}-${p(at.getMilliseconds(), 3)}`;
  let name = `${base}__${stamp}${ext}`;
  for (let i = 1; existsSync(name) || existsSync(`${name}.gz`); i += 1)
    name = `${base}__${stamp}_${p(i, 3)}${ext}`;
  return name;
}

/** The rotated copies of a log file, oldest first. */
export function rotatedFiles(path: string): string[] {
  const ext = extname(path);
  const stem = basename(path, ext);
  const dir = dirname(path);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .filter((n) => n.startsWith(`${stem}__`) && (n.endsWith(ext) || n.endsWith(`${ext}.gz`)))
    .sort()
    .map((n) => join(dir, n));
}

/**
 * One log file the daemon writes: appends, a sidecar time index (`<file>.idx`: 16-byte records of
 * byte offset and time, at most one per millisecond, used by `steward logs` to merge files in time
 * order), size accounting for rotation, a bounded write buffer, and a fallback when the file cannot
 * be written. The daemon is the only writer, so rotation is a rename plus a new file: nothing is
 * lost or written twice, and the app never waits.
 */
export class LogFile {
  refs = 1;
  size = 0;
  dropped = 0;
  failed: string | null = null;
  private stream: WriteStream | null = null;
  private idxFd: number | null = null;
  private lastIdxAt = -1;
  /** Index records waiting for their batched write; allocated only while there are some, since
   * most apps are quiet most of the time (4 KB × 2 files × 200 apps was 1.6 MB of daemon memory). */
  private idxBuf: Buffer | null = null;
  private idxLen = 0;
  private idxTimer: NodeJS.Timeout | undefined;
  private retryAt = 0;
  /** Set when the disk took nothing for STALL_MS while the daemon waited; cleared by the next drain. */
  private stalled = false;

  constructor(
    readonly path: string,
    public policy: RotationPolicy,
    private readonly hooks: LogFileHooks,
  ) {
    this.open();
  }

  private open(): void {
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      const fd = openSync(this.path, 'a', 0o600);
      this.size = statSync(this.path).size;
      this.stream = createWriteStream(this.path, { fd, flags: 'a' });
      this.stream.on('error', (err) => this.fail(err.message));
      try {
        this.idxFd = openSync(`${this.path}.idx`, 'a', 0o600);
      } catch {
        this.idxFd = null;
      }
      this.lastIdxAt = -1;
      if (this.failed) this.hooks.warn(`log file ${this.path} is writable again`);
      this.failed = null;
    } catch (e) {
      this.fail(messageOf(e));
    }
  }

  private fail(why: string): void {
    if (!this.failed)
      this.hooks.warn(`cannot write log file ${this.path}: ${why}; its output goes to the daemon log`);
    this.failed = why;
    this.retryAt = Date.now() + RETRY_MS;
    this.stream?.destroy();
    this.stream = null;
    this.closeIdx();
  }

  private flushIdx(): void {
    if (this.idxTimer) clearTimeout(this.idxTimer);
    this.idxTimer = undefined;
    if (this.idxLen === 0 || this.idxFd === null) {
      this.idxLen = 0;
      this.idxBuf = null;
      return;
    }
    try {
      if (this.idxBuf) writeSync(this.idxFd, this.idxBuf, 0, this.idxLen);
    } catch {
      // the index is an aid for `steward logs`; losing part of it only blurs ordering
    }
    this.idxLen = 0;
    this.idxBuf = null;
  }

  private closeIdx(): void {
    this.flushIdx();
    if (this.idxFd !== null) {
      try {
        closeSync(this.idxFd);
      } catch {
        // already closed
      }
      this.idxFd = null;
    }
  }

  write(buf: Buffer, at: number): void {
    if (buf.length === 0) return;
    if (this.failed && Date.now() >= this.retryAt) this.open();
    const stream = this.stream;
    if (!stream || this.failed) {
      this.dropped += buf.length;
      this.hooks.fallback(this.path, buf);
      return;
    }
    if (stream.writableLength > MAX_BUFFERED) {
      // The disk is slower than the app: drop rather than grow without bound or block the app.
      this.dropped += buf.length;
      return;
    }
    if (this.idxFd !== null && at !== this.lastIdxAt) {
      // Index records are batched (flushed within IDX_FLUSH_MS): one small write per batch, not
      // one per millisecond of output.
      const idx = (this.idxBuf ??= Buffer.allocUnsafe(IDX_RECORD * 256));
      idx.writeDoubleLE(this.size, this.idxLen);
      idx.writeDoubleLE(at, this.idxLen + 8);
      this.idxLen += IDX_RECORD;
      this.lastIdxAt = at;
      if (this.idxLen === idx.length) this.flushIdx();
      else this.idxTimer ??= setTimeout(() => this.flushIdx(), IDX_FLUSH_MS);
    }
    stream.write(buf);
    this.size += buf.length;
    if (this.policy.maxSize > 0 && this.size >= this.policy.maxSize) this.rotate();
  }

  /** Too much is waiting for the disk: the caller should stop reading until `whenWritten`. */
  get behind(): boolean {
    return !this.stalled && this.stream !== null && this.stream.writableLength > PAUSE_AT;
  }

  /** Calls `done` once what is queued has been written, or the file failed, or STALL_MS passed. */
  whenWritten(done: () => void): void {
    const s = this.stream;
    if (!s || !this.behind) return done();
    let called = false;
    const finish = (stalled: boolean) => {
      if (called) return;
      called = true;
      clearTimeout(timer);
      s.off('drain', onDrain);
      s.off('close', onDrain);
      if (stalled) {
        this.stalled = true;
        s.once('drain', () => (this.stalled = false));
      }
      done();
    };
    const onDrain = () => finish(false);
    const timer = setTimeout(() => finish(true), STALL_MS);
    s.once('drain', onDrain);
    s.once('close', onDrain);
  }

  /** Moves the file aside (pending writes still land in it) and starts a new one. */
  rotate(): void {
    if (!this.stream || this.size === 0) return;
    const target = rotatedName(this.path, new Date());
    try {
      renameSync(this.path, target);
    } catch (e) {
      this.hooks.warn(`cannot rotate ${this.path}: ${messageOf(e)}`);
      return;
    }
    try {
      renameSync(`${this.path}.idx`, `${target}.idx`);
    } catch {
      // no index
    }
    const old = this.stream;
    this.closeIdx();
    this.open();
    old.end(() => void this.afterRotate(target));
  }

  private async afterRotate(target: string): Promise<void> {
    if (this.policy.compress) {
      try {
        await streams().pipeline(
          createReadStream(target),
          zlib().createGzip(),
          createWriteStream(`${target}.gz`, { mode: 0o600 }),
        );
        unlinkSync(target);
        try {
          unlinkSync(`${target}.idx`);
        } catch {
          // no index
        }
      } catch (e) {
        this.hooks.warn(`cannot compress ${target}: ${messageOf(e)}`);
      }
    }
    const all = rotatedFiles(this.path);
    for (const f of all.slice(0, Math.max(0, all.length - this.policy.retain))) {
      for (const p of [f, `${f}.idx`]) {
        try {
          unlinkSync(p);
        } catch {
          // gone already
        }
      }
    }
  }

  /** Reopens the path (after an external logrotate moved or deleted the file). */
  reopen(): void {
    const old = this.stream;
    this.closeIdx();
    this.stream = null;
    this.open();
    old?.end();
  }

  /** Empties the file (`steward flush`). O_APPEND writes continue at the new end. */
  truncate(): void {
    this.idxLen = 0;
    for (const p of [this.path, `${this.path}.idx`]) {
      try {
        truncateSync(p, 0);
      } catch {
        // nothing to empty
      }
    }
    this.size = 0;
    this.lastIdxAt = -1;
  }

  close(): Promise<void> {
    this.closeIdx();
    const s = this.stream;
    this.stream = null;
    if (!s) return Promise.resolve();
    return new Promise((resolve) => s.end(() => resolve()));
  }
}
