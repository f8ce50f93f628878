import { request, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import type { Home } from '../helpers.js';

/** Shared by the web tests: starting `steward web`, and plain HTTP requests with any header. */
export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: unknown;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

export interface WebUrls {
  base: string;
  port: number;
  admin: string;
  read: string;
  adminUrl: string;
  readUrl: string;
}

/** Runs `steward web` and reads the URLs (and tokens) it prints. */
export async function startWeb(home: Home, args: string[] = []): Promise<WebUrls> {
  const r = await home.ok(['web', ...args]);
  const open = /open: +(\S+)/.exec(r.stdout)?.[1];
  const ro = /read-only: +(\S+)/.exec(r.stdout)?.[1];
  if (!open || !ro) throw new Error(`steward web printed no URL:\n${r.stdout}\n${r.stderr}`);
  const u = new URL(open);
  return {
    base: `${u.protocol}//${u.host}`,
    port: Number(u.port),
    admin: u.hash.replace('#token=', ''),
    read: new URL(ro).hash.replace('#token=', ''),
    adminUrl: open,
    readUrl: ro,
  };
}

export function http(
  port: number,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer; token?: string } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined && !headers['Content-Type']) headers['Content-Type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** `{error:{code}}` of a reply. */
export function errorCode(r: Reply): string | undefined {
  return (r.json as { error?: { code?: string } } | undefined)?.error?.code;
}
