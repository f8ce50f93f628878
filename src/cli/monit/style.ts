import pc from 'picocolors';
import { ASCII, UNICODE, type Glyphs } from './text.js';

type Paint = (s: string) => string;

/** The few looks the dashboard uses, by meaning rather than colour. */
export interface Style {
  bold: Paint;
  dim: Paint;
  /** The selected row and the filter cursor: reverse video, which NO_COLOR does not turn off. */
  inverse: Paint;
  good: Paint;
  warn: Paint;
  bad: Paint;
  accent: Paint;
  muted: Paint;
  glyphs: Glyphs;
}

/**
 * Colours follow the rest of the CLI (picocolors: off with NO_COLOR or --no-color); attributes such
 * as bold and reverse are not colours and stay, so the selection is visible either way.
 */
export function makeStyle(colour: boolean, env: NodeJS.ProcessEnv = process.env): Style {
  const c = pc.createColors(colour);
  const a = pc.createColors(true);
  return {
    bold: a.bold,
    dim: colour ? a.dim : (s) => s,
    inverse: a.inverse,
    good: c.green,
    warn: c.yellow,
    bad: c.red,
    accent: c.cyan,
    muted: c.gray,
    glyphs: wantsAscii(env) ? ASCII : UNICODE,
  };
}

/**
 * Block elements and box lines need a UTF-8 terminal: fall back to ASCII on the Linux console, or
 * when the locale names another charset explicitly (`C`/`POSIX` often just mean "unset", so not those).
 */
export function wantsAscii(env: NodeJS.ProcessEnv): boolean {
  if (env.TERM === 'linux') return true;
  const locale = env.LC_ALL || env.LC_CTYPE || env.LANG || '';
  if (locale === '' || locale === 'C' || locale === 'POSIX') return false;
  return !/utf-?8/i.test(locale);
}
