import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { gzipSync } from 'node:zlib';

/** The dashboard's files (dist/web/, built by scripts/build.js from src/web/client/), held in memory. */
export interface Asset {
  type: string;
  body: Buffer;
  gzip: Buffer;
  etag: string;
}

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/** Files by URL path (`/` is index.html). Missing directory: no assets (the API still works). */
export function loadAssets(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  let names: string[] = [];
  try {
    names = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of names) {
    const type = TYPES[extname(name)];
    if (!type) continue;
    const body = readFileSync(join(dir, name));
    const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 16)}"`;
    const asset = { type, body, gzip: gzipSync(body, { level: 9 }), etag };
    out.set(`/${name}`, asset);
    if (name === 'index.html') out.set('/', asset);
  }
  return out;
}

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
  "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";
