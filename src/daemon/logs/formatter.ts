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
  /** The constant end of every JSON line. */
  private readonly jsonTail: string;

  constructor(
    private readonly type: StreamType,
    private readonly opts: FormatOptions,
  ) {
    this.jsonTail = `,"type":"${type}","process_id":${opts.pmId},"app_name":${JSON.stringify(opts.name)}}\n`;
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
    // Count the prefixes first, then copy once into a buffer of the final size.
    let count = this.atLineStart ? 1 : 0;
    for (let i = chunk.indexOf(NL); i >= 0; i = chunk.indexOf(NL, i + 1))
      if (i + 1 < chunk.length) count += 1;
    const out = Buffer.allocUnsafe(chunk.length + count * prefix.length);
    let w = 0;
    let start = 0;
    while (start < chunk.length) {
      if (this.atLineStart) w += prefix.copy(out, w);
      const nl = chunk.indexOf(NL, start);
      const end = nl < 0 ? chunk.length : nl + 1;
      w += chunk.copy(out, w, start, end);
      this.atLineStart = nl >= 0;
      start = end;
    }
    return out;
  }

  /** `{"message","timestamp","type","process_id","app_name"}`, built by hand: one stringify per line. */
  private jsonLine(message: string, now: number): string {
    const ts = JSON.stringify(this.time?.format(now) ?? new Date(now).toISOString());
    return `{"message":${JSON.stringify(message)},"timestamp":${ts}${this.jsonTail}`;
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
