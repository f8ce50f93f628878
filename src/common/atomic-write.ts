import {
  closeSync,
  copyFileSync,
  existsSync,
  fsyncSync,
  openSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes a file so that a reader sees either the old content or the new one, never a mix: write a
 * temp file beside it, fsync, (optionally keep the previous file as `<path>.bak`), rename over.
 * When anything fails the previous file is untouched and the error is thrown.
 */
export function writeFileAtomic(
  path: string,
  data: string,
  opts: { backup?: string; fsync?: boolean } = {},
): void {
  const tmp = `${path}.${process.pid}.tmp`;
  const fsync = opts.fsync ?? true;
  try {
    const fd = openSync(tmp, 'w', 0o600);
    try {
      const buf = Buffer.from(data, 'utf8');
      let off = 0;
      while (off < buf.length) off += writeSync(fd, buf, off);
      if (fsync) fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (opts.backup && existsSync(path)) copyFileSync(path, opts.backup);
    renameSync(tmp, path);
  } catch (e) {
    try {
      unlinkSync(tmp);
    } catch {
      // nothing to clean
    }
    throw e;
  }
  if (fsync) {
    try {
      const dfd = openSync(dirname(path), 'r');
      fsyncSync(dfd);
      closeSync(dfd);
    } catch {
      // directory fsync is best effort (not supported everywhere)
    }
  }
}
