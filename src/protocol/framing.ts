/**
 * Newline-delimited JSON framing shared by the client and the daemon. A JSON object never contains
 * a raw newline (JSON.stringify escapes them), so one line is one message.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export class LineDecoder {
  /** The unfinished line, in pieces (joined only when a newline arrives: no quadratic rescans). */
  private parts: string[] = [];
  private len = 0;
  constructor(private readonly maxBytes: number = MAX_MESSAGE_BYTES) {}

  /** Feeds a chunk; returns the complete lines. Throws RangeError when a line grows past the limit. */
  push(chunk: string): string[] {
    if (!chunk.includes('\n')) {
      this.parts.push(chunk);
      this.len += chunk.length;
      if (this.len > this.maxBytes) {
        this.parts = [];
        this.len = 0;
        throw new RangeError(`message larger than ${this.maxBytes} bytes`);
      }
      return [];
    }
    const text = this.parts.length > 0 ? this.parts.join('') + chunk : chunk;
    const lines = text.split('\n');
    const rest = lines.pop() ?? '';
    this.parts = rest ? [rest] : [];
    this.len = rest.length;
    if (this.len > this.maxBytes || lines.some((l) => l.length > this.maxBytes)) {
      this.parts = [];
      this.len = 0;
      throw new RangeError(`message larger than ${this.maxBytes} bytes`);
    }
    return lines.filter((l) => l.trim() !== '');
  }
}

export function encode(msg: unknown): string {
  return JSON.stringify(msg) + '\n';
}

/** A message as the client decoder gives it: the parsed JSON, and its raw payload if it had one. */
export interface Frame {
  msg: unknown;
  payload?: Buffer;
}

/** A notification whose `params.bytes` says that this many raw bytes follow its line. */
function payloadBytes(msg: unknown): number | undefined {
  if (typeof msg !== 'object' || msg === null || 'id' in msg) return undefined;
  const params = (msg as { params?: unknown }).params;
  if (typeof params !== 'object' || params === null) return undefined;
  const bytes = (params as { bytes?: unknown }).bytes;
  return typeof bytes === 'number' && Number.isInteger(bytes) && bytes >= 0 ? bytes : undefined;
}

/**
 * The client's side of the framing, on bytes: JSON lines, where a notification whose params carry
 * `bytes: N` is followed by N raw bytes. The daemon sends log output that way to clients that
 * subscribed with `frames: true`, so a log chunk goes from the app's pipe to the follower's socket
 * as the same Buffer: no UTF-8 decoding, JSON escaping and re-encoding of every chunk in the daemon
 * (which cost it CPU and, with a `logs` follower on an app writing 1 GB, +12 % of RSS).
 * Lines that are not JSON are skipped, as before.
 */
export class FrameDecoder {
  private parts: Buffer[] = [];
  private len = 0;
  /** Payload bytes expected for `head`, or -1 while reading a line. */
  private need = -1;
  private head: unknown;
  constructor(private readonly maxBytes: number = MAX_MESSAGE_BYTES) {}

  /** Feeds a chunk; returns the complete messages. Throws RangeError past the size limit. */
  push(chunk: Buffer): Frame[] {
    const out: Frame[] = [];
    let off = 0;
    while (off < chunk.length || this.need === 0) {
      if (this.need >= 0) {
        const take = Math.min(this.need - this.len, chunk.length - off);
        if (take > 0) this.parts.push(chunk.subarray(off, off + take));
        this.len += take;
        off += take;
        if (this.len < this.need) break;
        const payload =
          this.parts.length === 1 ? (this.parts[0] as Buffer) : Buffer.concat(this.parts, this.len);
        out.push({ msg: this.head, payload });
        this.reset();
        continue;
      }
      const nl = chunk.indexOf(0x0a, off);
      if (nl < 0) {
        this.parts.push(chunk.subarray(off));
        this.len += chunk.length - off;
        if (this.len > this.maxBytes) {
          this.reset();
          throw new RangeError(`message larger than ${this.maxBytes} bytes`);
        }
        break;
      }
      const piece = chunk.subarray(off, nl);
      const line = this.parts.length > 0 ? Buffer.concat([...this.parts, piece]) : piece;
      this.reset();
      off = nl + 1;
      if (line.length > this.maxBytes) throw new RangeError(`message larger than ${this.maxBytes} bytes`);
      let msg: unknown;
      try {
        msg = JSON.parse(line.toString('utf8'));
      } catch {
        continue;
      }
      const bytes = payloadBytes(msg);
      if (bytes === undefined) {
        out.push({ msg });
      } else {
        if (bytes > this.maxBytes) throw new RangeError(`message larger than ${this.maxBytes} bytes`);
        this.need = bytes;
        this.head = msg;
      }
    }
    return out;
  }

  private reset(): void {
    this.parts = [];
    this.len = 0;
    this.need = -1;
    this.head = undefined;
  }
}
