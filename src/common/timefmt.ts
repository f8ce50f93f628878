import dayjs from 'dayjs';

/**
 * Log timestamps in PM2's (dayjs) format language: `YYYY-MM-DD HH:mm:ss Z`, `YYYY-MM-DDTHH:mm:ss`,
 * `x` (epoch ms)… Formatting is cached per millisecond, so a burst of lines costs one format call.
 */
const TOKENS =
  /\[[^\]]*]|YYYY|YY|M{1,4}|Do|D{1,2}|d{1,4}|H{1,2}|h{1,2}|k{1,2}|m{1,2}|s{1,2}|S{1,3}|Z{1,2}|A|a|X|x|Q|w{1,2}/g;

export const ISO_FORMAT = 'YYYY-MM-DDTHH:mm:ss';

/**
 * A format is valid when it has at least one date or time token and every other letter is inside
 * `[brackets]` (dayjs would print a stray letter as a token or as itself: surely a mistake).
 */
export function isValidDateFormat(fmt: string): boolean {
  if (fmt === 'ISO') return true;
  const tokens = fmt.match(TOKENS)?.filter((t) => !t.startsWith('[')) ?? [];
  const rest = fmt.replace(TOKENS, '');
  // `T` is the ISO date/time separator (PM2's own default format uses it); dayjs prints it as is.
  return tokens.length > 0 && !/[A-SU-Za-z]/.test(rest);
}

export class TimeFormatter {
  private lastMs = -1;
  private last = '';
  constructor(private readonly fmt: string) {}

  format(ms: number): string {
    if (ms !== this.lastMs) {
      this.lastMs = ms;
      this.last = this.fmt === 'ISO' ? new Date(ms).toISOString() : dayjs(ms).format(this.fmt);
    }
    return this.last;
  }
}
