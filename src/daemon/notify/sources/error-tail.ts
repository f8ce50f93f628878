import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

/**
 * The last lines of an app's error log, for a message: the file's last TAIL_BYTES, read when an
 * event is sent (not on every write). Falls back to what the instance kept in memory when the app
 * has no error file (disabled logs, /dev/null).
 */
const TAIL_BYTES = 4096;

export function errorTail(path: string | null, n: number, fallback: () => string[]): string[] {
  if (path && path !== '/dev/null') {
    try {
      const fd = openSync(path, 'r');
      try {
        const size = fstatSync(fd).size;
        const len = Math.min(size, TAIL_BYTES);
        const buf = Buffer.alloc(len);
        readSync(fd, buf, 0, len, size - len);
        let lines = buf.toString('utf8').split('\n');
        if (size > len) lines = lines.slice(1);
        const out = lines.map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
        if (out.length > 0) return out.slice(-n);
      } finally {
        closeSync(fd);
      }
    } catch {
      // no file yet: the fallback
    }
  }
  return fallback().slice(-n);
}
