import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { endianness } from 'node:os';

/**
 * Reading the end of log files without reading the files: the last N lines are found by reading
 * backwards in blocks from the end, and each line's time comes from the sidecar index the daemon
 * writes (`<file>.idx`, 16-byte records: byte offset, time in ms, little-endian doubles), by binary
 * search.
 *
 * This runs once per `steward logs`, so it runs in V8's interpreter: the code keeps the number of
 * calls into native code per line small (one `lastIndexOf` per line; the text is decoded and split
 * in one call each, not line by line). That took the 1000-line tail from ~9 ms to ~2 ms.
 */
export interface TailLine {
  text: string;
  /**
   * When the chunk holding the start of this line was written (ms). A line whose chunk is not in
   * the index has the time of the line before it; 0 when no line before it has one either.
   */
  at: number;
  /** Byte offset of the line's start in its file. */
  offset: number;
  /** Which of the files given to `mergeTails` it came from (0 until merged). */
  source: number;
}

const BLOCK = 64 * 1024;

/** The last `n` complete or partial lines of a file, oldest first. */
export function tailLines(path: string, n: number): TailLine[] {
  if (n <= 0) return [];
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return [];
  }
  try {
    const size = fstatSync(fd).size;
    // The bytes from `pos` to the end of the file, and where the lines start in them (backwards).
    let data = Buffer.alloc(0);
    let pos = size;
    const starts: number[] = [];
    // Where to look for the next newline, backwards, in `data`.
    let scanFrom = 0;
    while (starts.length < n && pos > 0) {
      const firstBlock = pos === size;
      const len = Math.min(firstBlock ? BLOCK : Math.max(BLOCK, data.length), pos);
      pos -= len;
      const block = Buffer.allocUnsafe(len);
      readSync(fd, block, 0, len, pos);
      data = data.length === 0 ? block : Buffer.concat([block, data]);
      // Positions found so far shift by the block just put in front.
      for (let i = 0; i < starts.length; i += 1) starts[i] = (starts[i] as number) + len;
      if (firstBlock) {
        scanFrom = data.length - 1;
        // A final newline ends the last line; it does not start an empty one.
        if (data[scanFrom] === 0x0a) scanFrom -= 1;
      } else scanFrom += len;
      // lastIndexOf is a native memrchr: one call per line.
      while (starts.length < n && scanFrom >= 0) {
        const nl = data.lastIndexOf(0x0a, scanFrom);
        if (nl < 0) break;
        starts.push(nl + 1);
        scanFrom = nl - 1;
      }
    }
    // The file's first line has no newline before it.
    if (starts.length < n && pos === 0 && data.length > 0) starts.push(0);
    if (starts.length === 0) return [];
    starts.reverse();
    const first = starts[0] as number;
    let end = data.length;
    if (end > first && data[end - 1] === 0x0a) end -= 1;
    // '\n' never occurs inside a UTF-8 sequence, so split() yields exactly one string per line.
    const texts = data.toString('utf8', first, end).split('\n');
    const lines: TailLine[] = new Array<TailLine>(starts.length);
    for (let i = 0; i < starts.length; i += 1) {
      lines[i] = { text: texts[i] ?? '', at: 0, offset: pos + (starts[i] as number), source: 0 };
    }
    stampLines(`${path}.idx`, lines);
    return lines;
  } finally {
    closeSync(fd);
  }
}

const littleEndian = endianness() === 'LE';

/**
 * Gives each line the time of the last index record at or before its offset: one binary search for
 * the first line, then one read of the records from there to the end (the tail's records are few).
 */
function stampLines(idxPath: string, lines: TailLine[]): void {
  const first = lines[0];
  if (!first) return;
  let fd: number;
  try {
    fd = openSync(idxPath, 'r');
  } catch {
    return;
  }
  try {
    const count = Math.floor(fstatSync(fd).size / 16);
    if (count === 0) return;
    const rec = Buffer.allocUnsafe(16);
    const offsetAt = (i: number) => {
      readSync(fd, rec, 0, 16, i * 16);
      return rec.readDoubleLE(0);
    };
    let lo = 0;
    let hi = count - 1;
    let start = 0;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (offsetAt(mid) <= first.offset) {
        start = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const k = count - start;
    // Read straight into doubles: [offset, time, offset, time, …].
    const recs = new Float64Array(k * 2);
    readSync(fd, recs, 0, k * 16, start * 16);
    if (!littleEndian) {
      const view = new DataView(recs.buffer);
      for (let i = 0; i < k * 2; i += 1) recs[i] = view.getFloat64(i * 8, true);
    }
    let r = 0;
    let last = 0;
    for (const line of lines) {
      while (r + 1 < k && (recs[(r + 1) * 2] as number) <= line.offset) r += 1;
      if ((recs[r * 2] as number) <= line.offset) last = recs[r * 2 + 1] as number;
      line.at = last;
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * Merges the tails of several files in time order and keeps the last `n`. Each tail is in time
 * order already, so this is a k-way merge; ties go to the earlier file, and lines of one file keep
 * their order. Sets each line's `source` to its file's index.
 */
export function mergeTails(tails: TailLine[][], n: number): TailLine[] {
  const live: number[] = [];
  tails.forEach((lines, source) => {
    for (const l of lines) l.source = source;
    if (lines.length > 0) live.push(source);
  });
  if (live.length === 0) return [];
  if (live.length === 1) {
    const only = tails[live[0] as number] as TailLine[];
    return only.length > n ? only.slice(only.length - n) : only;
  }
  const heads = tails.map(() => 0);
  const out: TailLine[] = [];
  for (;;) {
    let best: TailLine | undefined;
    for (const s of live) {
      const l = (tails[s] as TailLine[])[heads[s] as number];
      if (l && (!best || l.at < best.at)) best = l;
    }
    if (!best) break;
    out.push(best);
    heads[best.source] = (heads[best.source] as number) + 1;
  }
  return out.length > n ? out.slice(out.length - n) : out;
}
