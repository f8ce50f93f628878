/**
 * Newline-delimited JSON framing shared by the client and the daemon. A JSON object never contains
 * a raw newline (JSON.stringify escapes them), so one line is one message.
 */
export const MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

export class LineDecoder {
  private buf = '';
  constructor(private readonly maxBytes: number = MAX_MESSAGE_BYTES) {}

  /** Feeds a chunk; returns the complete lines. Throws RangeError when a line grows past the limit. */
  push(chunk: string): string[] {
    this.buf += chunk;
    if (!this.buf.includes('\n')) {
      if (this.buf.length > this.maxBytes) {
        this.buf = '';
        throw new RangeError(`message larger than ${this.maxBytes} bytes`);
      }
      return [];
    }
    const parts = this.buf.split('\n');
    this.buf = parts.pop() ?? '';
    if (this.buf.length > this.maxBytes || parts.some((l) => l.length > this.maxBytes)) {
      this.buf = '';
      throw new RangeError(`message larger than ${this.maxBytes} bytes`);
    }
    return parts.filter((l) => l.trim() !== '');
  }
}

export function encode(msg: unknown): string {
  return JSON.stringify(msg) + '\n';
}
