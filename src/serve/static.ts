import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream, type Stats } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, sep } from 'node:path';
import { pipeline } from 'node:stream';
import { createGzip } from 'node:zlib';
import {
  acceptsGzip,
  etagOf,
  ifRangeMatches,
  noneMatch,
  notModifiedSince,
  parseRange,
  requestPath,
} from './http.js';
import { contentType, isCompressible, mediaType } from './mime.js';

/** What the static file server serves and how (normalised from PM2_SERVE_* by server.ts). */
export interface StaticOptions {
  /** Real path (symlinks resolved) of the directory served. */
  root: string;
  /** Single-page app: unknown page paths get the homepage instead of a 404. */
  spa: boolean;
  /** The page for `/` (PM2_SERVE_HOMEPAGE), a path inside the root. */
  homepage: string;
  auth: { username: string; password: string } | null;
}

/** Below this size gzip costs more than it saves. */
const GZIP_MIN_BYTES = 1024;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

function authorized(header: string | undefined, auth: NonNullable<StaticOptions['auth']>): boolean {
  const m = /^\s*Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m?.[1]) return false;
  const decoded = Buffer.from(m[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return false;
  // Compare digests: equal lengths, and no timing hint about the expected values.
  const user = timingSafeEqual(digest(decoded.slice(0, colon)), digest(auth.username));
  const pass = timingSafeEqual(digest(decoded.slice(colon + 1)), digest(auth.password));
  return user && pass;
}

/** One request header as a string (Node gives arrays for a few repeatable ones). */
function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}

function plain(res: ServerResponse, status: number, text: string, head: boolean): void {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(head ? undefined : text);
}

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  500: 'Internal Server Error',
};

/** A file resolved inside the root, or the status to answer instead. */
type Found = { file: string; stats: Stats } | { status: 301; location: string } | { status: 403 | 404 | 500 };

export function createStaticHandler(opts: StaticOptions): Handler {
  const inRoot = (p: string) =>
    p === opts.root || p.startsWith(opts.root.endsWith(sep) ? opts.root : opts.root + sep);

  /** Resolves segments to a regular file, refusing symlinks that lead out of the root. */
  async function find(segments: string[], trailingSlash: boolean): Promise<Found> {
    let real: string;
    let stats: Stats;
    try {
      real = await realpath(join(opts.root, ...segments));
      if (!inRoot(real)) return { status: 403 };
      stats = await stat(real);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return { status: code === 'EACCES' ? 403 : code === 'ENOENT' || code === 'ENOTDIR' ? 404 : 500 };
    }
    if (stats.isDirectory()) {
      // `/docs` → `/docs/`, so that the page's relative links resolve; the location is rebuilt
      // from the segments, so `//evil.example` cannot become an open redirect.
      if (!trailingSlash) return { status: 301, location: `/${segments.map(encodeURIComponent).join('/')}/` };
      return find([...segments, 'index.html'], false);
    }
    return stats.isFile() ? { file: real, stats } : { status: 404 };
  }

  function sendFile(
    req: IncomingMessage,
    res: ServerResponse,
    f: { file: string; stats: Stats },
    status: 200 | 404,
  ): void {
    const head = req.method === 'HEAD';
    const type = contentType(f.file);
    const size = f.stats.size;
    const lastModified = new Date(f.stats.mtimeMs).toUTCString();
    const compressible = isCompressible(mediaType(type));
    const headers: Record<string, string | number> = {
      'Content-Type': type,
      'Last-Modified': lastModified,
      // Cache, but ask every time whether the file changed (answered with 304 from the validators).
      'Cache-Control': 'no-cache',
      'Accept-Ranges': 'bytes',
      'X-Content-Type-Options': 'nosniff',
    };
    if (compressible) headers.Vary = 'Accept-Encoding';

    const identityTag = etagOf(size, f.stats.mtimeMs, false);
    const range =
      status === 200 && ifRangeMatches(header(req, 'if-range'), identityTag, lastModified)
        ? parseRange(req.headers.range, size)
        : ({ kind: 'none' } as const);
    const gzip =
      range.kind === 'none' &&
      compressible &&
      size >= GZIP_MIN_BYTES &&
      acceptsGzip(req.headers['accept-encoding']);
    headers.ETag = etagOf(size, f.stats.mtimeMs, gzip);

    if (status === 200) {
      const inm = req.headers['if-none-match'];
      const ims = req.headers['if-modified-since'];
      if (
        inm !== undefined
          ? noneMatch(inm, String(headers.ETag))
          : ims !== undefined && notModifiedSince(ims, f.stats.mtimeMs)
      ) {
        const { 'Content-Type': _t, 'Accept-Ranges': _r, ...rest } = headers;
        res.writeHead(304, rest);
        res.end();
        return;
      }
    }
    if (range.kind === 'unsatisfiable') {
      res.writeHead(416, { 'Content-Range': `bytes */${size}`, 'Content-Type': 'text/plain; charset=utf-8' });
      res.end(head ? undefined : 'Range Not Satisfiable');
      return;
    }
    let start = 0;
    let end = size - 1;
    let code: number = status;
    if (range.kind === 'range') {
      ({ start, end } = range);
      code = 206;
      headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
    }
    if (gzip) headers['Content-Encoding'] = 'gzip';
    else headers['Content-Length'] = size === 0 ? 0 : end - start + 1;
    res.writeHead(code, headers);
    if (head || size === 0) {
      res.end();
      return;
    }
    const input = createReadStream(f.file, { start, end });
    const done = (err: NodeJS.ErrnoException | null) => {
      if (err) res.destroy();
    };
    if (gzip) pipeline(input, createGzip(), res, done);
    else pipeline(input, res, done);
  }

  async function notFound(
    req: IncomingMessage,
    res: ServerResponse,
    segments: string[] | undefined,
  ): Promise<void> {
    const head = req.method === 'HEAD';
    const last = segments?.[segments.length - 1] ?? '';
    // A SPA's routes look like pages (no extension, or asked for as HTML); a missing `/app.js` stays a 404.
    const pageLike = extname(last) === '' || /\btext\/html\b/.test(req.headers.accept ?? '');
    if (opts.spa && segments && pageLike) {
      const home = await page(opts.homepage);
      if (home) return sendFile(req, res, home, 200);
    }
    const custom = await page('/404.html');
    if (custom) return sendFile(req, res, custom, 404);
    plain(res, 404, 'Not Found', head);
  }

  async function page(path: string): Promise<{ file: string; stats: Stats } | undefined> {
    const p = requestPath(path);
    if (!p.ok) return undefined;
    const f = await find(p.segments, false);
    return 'file' in f ? f : undefined;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const head = req.method === 'HEAD';
    if (opts.auth && !authorized(req.headers.authorization, opts.auth)) {
      res.setHeader('WWW-Authenticate', 'Basic realm="Steward", charset="UTF-8"');
      plain(res, 401, 'Unauthorized', head);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      plain(res, 405, REASONS[405] ?? '', false);
      return;
    }
    const p = requestPath(req.url ?? '/');
    if (!p.ok) {
      if (p.status === 404) return notFound(req, res, undefined);
      plain(res, p.status, REASONS[p.status] ?? '', head);
      return;
    }
    const homeReq = p.segments.length === 0;
    const target = homeReq ? requestPath(opts.homepage) : p;
    const found = target.ok
      ? await find(target.segments, homeReq ? false : p.trailingSlash)
      : { status: 404 as const };
    if ('file' in found) return sendFile(req, res, found, 200);
    if (found.status === 301) {
      const query = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?')) : '';
      res.writeHead(301, { Location: found.location + query, 'Content-Length': 0 });
      res.end();
      return;
    }
    if (found.status === 404) return notFound(req, res, p.segments);
    plain(res, found.status, REASONS[found.status] ?? '', head);
  }

  return (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) plain(res, 500, REASONS[500] ?? '', req.method === 'HEAD');
      else res.destroy();
    });
  };
}
