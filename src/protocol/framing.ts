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
