/**
 * Pure HTTP helpers of the static file server: request paths, byte ranges, content negotiation and
 * validators. Unit-tested without a socket (test/unit/serve/http.test.ts).
 */

export type PathResult =
  { ok: true; segments: string[]; trailingSlash: boolean } | { ok: false; status: 400 | 403 | 404 };

/**
 * Splits the path of a request target into decoded segments. Any `..` segment, also when encoded
 * (`%2e%2e`, `..%2f`, `..%5c`), is refused with 403 — even one that would stay inside the root: a
 * legitimate client never sends one. Bad percent-encoding and NUL bytes are 400; an encoded `/`
 * can never name a file (404); dotfiles other than `.well-known` are hidden (404).
 */
export function requestPath(target: string): PathResult {
  let path = target;
  // absolute-form targets (`GET http://host/a`) carry an origin first
  const origin = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(path);
  if (origin) path = path.slice(origin[0].length) || '/';
  path = path.split(/[?#]/, 1)[0] ?? '';
  if (!path.startsWith('/')) return { ok: false, status: 400 };
  const segments: string[] = [];
  for (const raw of path.split('/')) {
    let seg: string;
    try {
      seg = decodeURIComponent(raw);
    } catch {
      return { ok: false, status: 400 };
    }
    if (seg.includes('\0')) return { ok: false, status: 400 };
    const parts = seg.split(/[\\/]/);
    if (parts.includes('..')) return { ok: false, status: 403 };
    if (seg === '' || seg === '.') continue;
    if (parts.length > 1) return { ok: false, status: 404 };
    if (seg.startsWith('.') && seg !== '.well-known') return { ok: false, status: 404 };
    segments.push(seg);
  }
  return { ok: true, segments, trailingSlash: path.endsWith('/') };
}

export type RangeResult =
  { kind: 'none' } | { kind: 'unsatisfiable' } | { kind: 'range'; start: number; end: number };

/**
 * One `bytes=` range of RFC 9110 (`a-b`, `a-`, `-n`). Several ranges, other units and bad syntax are
 * ignored (the whole file is sent, which the RFC allows); a range that starts past the end is 416.
 */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (!header) return { kind: 'none' };
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!m) return { kind: 'none' };
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return { kind: 'none' };
  if (a === '') {
    const n = Number(b);
    if (n === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(a);
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (b !== '' && Number(b) < start) return { kind: 'none' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'range', start, end };
}

/** Does an Accept-Encoding header allow gzip (`gzip`, or `*`, with q > 0)? */
export function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  let star: boolean | undefined;
  for (const part of header.split(',')) {
    const [token = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)\s*$/.exec(p)?.[1]).find((x) => x !== undefined);
    const allowed = q === undefined || Number(q) > 0;
    if (token.trim() === 'gzip' || token.trim() === 'x-gzip') return allowed;
    if (token.trim() === '*') star = allowed;
  }
  return star ?? false;
}

/** A strong validator of one representation: size and mtime, with a suffix for the gzip variant. */
export function etagOf(size: number, mtimeMs: number, gzip: boolean): string {
  return `"${size.toString(16)}-${Math.floor(mtimeMs).toString(16)}${gzip ? '-gz' : ''}"`;
}

/** If-None-Match (weak comparison): does it name this entity tag, or `*`? */
export function noneMatch(header: string, etag: string): boolean {
  const bare = (t: string) => t.trim().replace(/^W\//, '');
  return header.split(',').some((t) => t.trim() === '*' || bare(t) === bare(etag));
}

/** Is the resource unchanged since the date of If-Modified-Since (HTTP dates have whole seconds)? */
export function notModifiedSince(header: string, mtimeMs: number): boolean {
  const since = Date.parse(header);
  return !Number.isNaN(since) && Math.floor(mtimeMs / 1000) * 1000 <= since;
}

/** If-Range: a strong entity tag or an HTTP date that must match exactly for the range to apply. */
export function ifRangeMatches(header: string | undefined, etag: string, lastModified: string): boolean {
  if (header === undefined) return true;
  const v = header.trim();
  if (v.startsWith('"') || v.startsWith('W/')) return v === etag;
  return v === lastModified;
}
