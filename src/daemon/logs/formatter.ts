import { TimeFormatter } from '../../common/timefmt.js';

export type StreamType = 'out' | 'err';

export interface FormatOptions {
  /** dayjs format of the timestamp prefix, or null for none. */
  dateFormat: string | null;
  json: boolean;
  pmId: number;
  name: string;
}

const NL = 0x0a;
const MAX_PARTIAL = 64 * 1024;

/**
 * Turns one stream's raw output into what goes to the files. Raw output passes through untouched
 * (zero copies). With timestamps, each line gets `<time>: ` at its start — and only at its start,
 * so a line that arrives in two chunks is never split by a timestamp. With `log_type: json`, each
 * complete line becomes `{"message","timestamp","type","process_id","app_name"}`; a partial line
 * waits for its end (or for `flush`, at exit).
 */
export class LineFormatter {
  private atLineStart = true;
  private partial: Buffer[] = [];
  private partialLen = 0;
  private readonly time: TimeFormatter | undefined;

  constructor(
    private readonly type: StreamType,
    private readonly opts: FormatOptions,
  ) {
    this.time = opts.dateFormat
      ? new TimeFormatter(opts.dateFormat)
      : opts.json
        ? new TimeFormatter('ISO')
        : undefined;
  }

  get passthrough(): boolean {
    return !this.opts.json && !this.time;
  }

  format(chunk: Buffer, now: number): Buffer {
    if (this.opts.json) return this.formatJson(chunk, now);
    if (!this.time) return chunk;
    const prefix = Buffer.from(`${this.time.format(now)}: `);
    const parts: Buffer[] = [];
    let start = 0;
    while (start < chunk.length) {
      if (this.atLineStart) parts.push(prefix);
      const nl = chunk.indexOf(NL, start);
      if (nl < 0) {
        parts.push(chunk.subarray(start));
        this.atLineStart = false;
        break;
      }
      parts.push(chunk.subarray(start, nl + 1));
      this.atLineStart = true;
      start = nl + 1;
    }
    return Buffer.concat(parts);
  }

  private jsonLine(message: string, now: number): string {
    return (
      JSON.stringify({
        message,
        timestamp: this.time?.format(now) ?? new Date(now).toISOString(),
        type: this.type,
        process_id: this.opts.pmId,
        app_name: this.opts.name,
      }) + '\n'
    );
  }

  private formatJson(chunk: Buffer, now: number): Buffer {
    const out: string[] = [];
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(NL, start);
      if (nl < 0) break;
      const piece = chunk.subarray(start, nl);
      const line =
        this.partialLen > 0
          ? Buffer.concat([...this.partial, piece]).toString('utf8')
          : piece.toString('utf8');
      this.partial = [];
      this.partialLen = 0;
      out.push(this.jsonLine(line, now));
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.partial.push(chunk.subarray(start));
      this.partialLen += chunk.length - start;
      if (this.partialLen > MAX_PARTIAL) out.push(this.takePartial(now));
    }
    return Buffer.from(out.join(''));
  }

  private takePartial(now: number): string {
    const line = Buffer.concat(this.partial).toString('utf8');
    this.partial = [];
    this.partialLen = 0;
    return this.jsonLine(line, now);
  }

  /** What is still held back (a JSON partial line) when the stream ends. */
  flush(now: number): Buffer {
    if (this.opts.json && this.partialLen > 0) return Buffer.from(this.takePartial(now));
    return Buffer.alloc(0);
  }
}
