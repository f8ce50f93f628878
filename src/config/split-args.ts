import { parse } from 'shell-quote';

/** Characters a shell would treat as operators, globs, comments or expansions outside quotes. */
const SPECIAL_BARE = new Set([
  '|',
  '&',
  ';',
  '(',
  ')',
  '<',
  '>',
  '*',
  '?',
  '[',
  ']',
  '{',
  '}',
  '#',
  '$',
  '`',
]);

/**
 * Marks every character that is not a quote or an escape as literal, so that shell-quote applies only
 * the quoting rules: the args go to the program without a shell, so `a|b`, `*.js`, `#x` and `$HOME`
 * are text. Returns undefined for an unterminated quote (or a trailing backslash), which no shell runs.
 */
function literalise(s: string): string | undefined {
  let out = '';
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (quote === "'") {
      if (c === "'") quote = null;
      out += c;
    } else if (c === '\\') {
      if (i + 1 >= s.length) return undefined;
      out += c + s.charAt(++i);
    } else if (quote === '"') {
      if (c === '"') quote = null;
      out += c === '$' || c === '`' ? `\\${c}` : c;
    } else {
      if (c === '"' || c === "'") quote = c;
      out += SPECIAL_BARE.has(c) ? `\\${c}` : c;
    }
  }
  return quote === null ? out : undefined;
}

/** The previous reading, for an unbalanced string: whitespace splits, a lone quote is a character. */
function lenientSplit(s: string): string[] {
  const words = s.match(/(?:[^\s"']+|"[^"]*"|'[^']*'|["'])+/g) ?? [];
  return words.map((w) => w.replace(/"([^"]*)"|'([^']*)'/g, '$1$2'));
}

/**
 * Splits an `args` string as a POSIX shell would quote it (shell-quote): whitespace separates words,
 * `'…'` and `"…"` group, a backslash escapes the next character (`a\ b` is one word, `"say \"hi\""`
 * keeps its quotes). Nothing is expanded: `$HOME`, `*.js`, `a|b` and `#x` are passed as written, as
 * there is no shell. A string with an unterminated quote keeps the lone quote as a character.
 */
export function splitArgs(s: string): string[] {
  const literal = literalise(s);
  if (literal === undefined) return lenientSplit(s);
  // Every operator is escaped, so shell-quote returns strings, and words with `*` or `?` as globs
  // (their text, unexpanded).
  return parse(literal).map((e) => (typeof e === 'string' ? e : 'pattern' in e ? e.pattern : ''));
}
