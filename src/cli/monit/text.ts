/**
 * Plain-text helpers of the dashboard: terminal cell widths, cleaning app output so that it cannot
 * move the cursor, fitting text to a column, sparklines. Styling (colour) is applied after fitting,
 * so nothing here has to understand escape sequences except `clean`, which removes them.
 */

/** Cells one code point takes in a terminal: 0 (combining), 1, or 2 (East Asian wide, emoji). */
export function charWidth(cp: number): number {
  if (cp < 0x300) return 1;
  if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f) || (cp >= 0xfe00 && cp <= 0xfe0f))
    return 0;
  if (
    (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x1f300 && cp <= 0x1faff) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
  )
    return 2;
  return 1;
}

export function textWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += charWidth(ch.codePointAt(0) ?? 0);
  return w;
}

// CSI and OSC sequences, then any other escape pair, then the remaining C0/C1 controls.
// eslint-disable-next-line no-control-regex
const ESCAPES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-_]?/g;
// eslint-disable-next-line no-control-regex
const CONTROLS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/**
 * One line of app output made safe to print at a fixed place: escape sequences and control
 * characters removed, tabs expanded, and only what follows the last carriage return kept (a progress
 * bar that redraws itself shows its latest state).
 */
export function clean(line: string): string {
  let s = line;
  const cr = s.lastIndexOf('\r', s.length - 2);
  if (cr >= 0) s = s.slice(cr + 1);
  s = s.replace(ESCAPES, '');
  if (s.includes('\t')) s = s.replace(/\t/g, '    ');
  return s.replace(CONTROLS, '');
}

/** `s` cut or padded with spaces to exactly `width` cells; a cut ends with `ellipsis` (one cell). */
export function fit(s: string, width: number, align: 'left' | 'right' = 'left', ellipsis = '…'): string {
  if (width <= 0) return '';
  const w = textWidth(s);
  if (w <= width) {
    const pad = ' '.repeat(width - w);
    return align === 'left' ? s + pad : pad + s;
  }
  let out = '';
  let used = 0;
  for (const ch of s) {
    const cw = charWidth(ch.codePointAt(0) ?? 0);
    if (used + cw > width - 1) break;
    out += ch;
    used += cw;
  }
  return out + ellipsis + ' '.repeat(width - 1 - used);
}

export interface Glyphs {
  spark: readonly string[];
  vline: string;
  hline: string;
  ellipsis: string;
  dot: string;
  updown: string;
  restarts: string;
}

export const UNICODE: Glyphs = {
  spark: ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'],
  vline: '│',
  hline: '─',
  ellipsis: '…',
  dot: '·',
  updown: '↑↓',
  restarts: '↺',
};

export const ASCII: Glyphs = {
  spark: ['_', '.', ',', '-', '=', '+', '*', '#'],
  vline: '|',
  hline: '-',
  ellipsis: '~',
  dot: '-',
  updown: 'up/dn',
  restarts: 'rs',
};

/**
 * The last `width` values as a sparkline, scaled from `lo` to `hi` (a flat series sits on the
 * bottom step). Fewer values than `width` are right-aligned: the newest sample is always at the end.
 */
export function sparkline(
  values: readonly number[],
  width: number,
  lo: number,
  hi: number,
  g: Glyphs,
): string {
  if (width <= 0) return '';
  const steps = g.spark;
  const top = steps.length - 1;
  const span = hi - lo;
  let out = '';
  for (const v of values.slice(-width)) {
    const level = span > 0 ? Math.round(((v - lo) / span) * top) : 0;
    out += steps[Math.min(top, Math.max(0, level))] ?? '';
  }
  return ' '.repeat(Math.max(0, width - Math.min(width, values.length))) + out;
}

/** `12.3mb`-style sizes, at most 6 cells. */
export function shortBytes(n: number): string {
  if (n <= 0) return '0b';
  const units = ['b', 'kb', 'mb', 'gb', 'tb'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u += 1;
  }
  return `${v >= 100 || u === 0 ? Math.round(v) : v.toFixed(1)}${units[u]}`;
}

/** CPU percent in at most 5 cells: `0%`, `3.2%`, `45%`, `190%`. */
export function shortCpu(pct: number): string {
  return pct >= 10 || pct === 0 ? `${Math.round(pct)}%` : `${pct.toFixed(1)}%`;
}

/** `42s`, `7m`, `3h`, `2d`. */
export function shortDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}
