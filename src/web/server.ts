import {
  createServer as createHttp,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttps } from 'node:https';
import { readFileSync } from 'node:fs';
import { CSP, type Asset } from './assets.js';
import { HttpError, readJsonBody, SECURITY_HEADERS, sendError, sendJson, toHttpError } from './http.js';
import { matchRoute, type WebDeps } from './router.js';
import { ROUTES } from './routes.js';
import { isLoopback } from './tokens.js';

/** Slow clients: a request must send its headers within this, and all of it within REQUEST_TIMEOUT_MS. */
const HEADERS_TIMEOUT_MS = Number(process.env.STEWARD_WEB_HEADERS_TIMEOUT_MS ?? 10_000);
const REQUEST_TIMEOUT_MS = Math.max(HEADERS_TIMEOUT_MS + 1000, 30_000);
const MAX_CONNECTIONS = 256;

export interface ServerOptions {
  host: string;
  port: number;
  tls?: { cert: string; key: string };
}

/**
 * The dashboard's HTTP(S) server: static assets, and the API dispatched from the route table with
 * authentication, Origin and CSRF checks, a body limit and timeouts. Every failure is a JSON error.
 */
export function createWebServer(o: ServerOptions, web: WebDeps, assets: Map<string, Asset>): Server {
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    handle(req, res, o, web, assets).catch((e: unknown) => sendError(res, toHttpError(e)));
  };
  const opts = {
    headersTimeout: HEADERS_TIMEOUT_MS,
    requestTimeout: REQUEST_TIMEOUT_MS,
    // Node checks the two timeouts above this often (default 30 s).
    connectionsCheckingInterval: Math.min(1000, HEADERS_TIMEOUT_MS),
    keepAliveTimeout: 5000,
  };
  const server = o.tls
    ? createHttps({ ...opts, cert: readFileSync(o.tls.cert), key: readFileSync(o.tls.key) }, handler)
    : createHttp(opts, handler);
  server.maxConnections = MAX_CONNECTIONS;
  return server;
}

async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  o: ServerOptions,
  web: WebDeps,
  assets: Map<string, Asset>,
): Promise<void> {
  checkHost(req, o);
  const url = new URL(req.url ?? '/', 'http://x');
  const method = req.method ?? 'GET';
  if (!url.pathname.startsWith('/api/')) {
    serveAsset(req, res, url.pathname, assets);
    return;
  }
  const m = matchRoute(ROUTES, method, url.pathname);
  if (!m)
    throw new HttpError(
      404,
      'E_NOT_FOUND',
      `no route ${method} ${url.pathname}`,
      'see GET /api/openapi.json',
    );
  if ('allowed' in m) {
    throw new HttpError(
      405,
      'E_METHOD',
      `${method} is not allowed on ${url.pathname}`,
      `use ${m.allowed.join(' or ')}`,
    );
  }
  const { route, params } = m;
  const changes = method !== 'GET';
  if (changes) checkOrigin(req, o);
  const caller = route.access === 'public' ? undefined : await web.auth.caller(req);
  if (caller && route.access === 'admin' && caller.role !== 'admin') {
    throw new HttpError(
      403,
      'E_FORBIDDEN',
      'a read-only session cannot do that',
      'use the admin token (web.token)',
    );
  }
  if (caller && changes) web.auth.checkCsrf(req, caller);
  const body = changes ? await readJsonBody(req) : undefined;
  const result = await route.run({ req, res, params, query: url.searchParams, body, caller, web });
  if (!route.stream) sendJson(res, 200, result ?? null);
}

/**
 * On a loopback address only a loopback Host is served: a web page on another origin that points
 * a DNS name at 127.0.0.1 (DNS rebinding) gets 421.
 */
function checkHost(req: IncomingMessage, o: ServerOptions): void {
  if (!isLoopback(o.host)) return;
  const host = (req.headers.host ?? '').replace(/:\d+$/, '');
  if (!isLoopback(host)) {
    throw new HttpError(
      421,
      'E_HOST',
      `unexpected Host "${req.headers.host ?? ''}"`,
      'open the dashboard at the URL `steward web` prints',
    );
  }
}

/** A change must come from the dashboard's own origin (browsers always send Origin on POST). */
function checkOrigin(req: IncomingMessage, o: ServerOptions): void {
  const origin = req.headers.origin;
  const site = req.headers['sec-fetch-site'];
  if (site === 'cross-site' || site === 'same-site') {
    throw new HttpError(
      403,
      'E_ORIGIN',
      'cross-origin request refused',
      'use the dashboard itself, or the API with a bearer token',
    );
  }
  if (origin === undefined) {
    // Not a browser's request (curl, scripts): they authenticate with a token, which a page cannot add.
    if (req.headers.cookie && !req.headers.authorization) {
      throw new HttpError(
        403,
        'E_ORIGIN',
        'a change with a session cookie must carry Origin',
        'use the dashboard page',
      );
    }
    return;
  }
  const expected = `${o.tls ? 'https' : 'http'}://${req.headers.host ?? ''}`;
  if (origin !== expected) {
    throw new HttpError(
      403,
      'E_ORIGIN',
      `cross-origin request from ${origin} refused`,
      `changes are accepted from ${expected} only`,
    );
  }
}

function serveAsset(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  assets: Map<string, Asset>,
): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    throw new HttpError(405, 'E_METHOD', `${req.method} is not allowed on ${path}`, 'use GET');
  }
  const a = assets.get(path);
  if (!a) {
    const hint =
      assets.size === 0 ? 'the dashboard was not built: run `npm run build`' : 'open / for the dashboard';
    throw new HttpError(404, 'E_NOT_FOUND', `no file ${path}`, hint);
  }
  const headers: Record<string, string> = {
    ...SECURITY_HEADERS,
    'Content-Type': a.type,
    'Content-Security-Policy': CSP,
    ETag: a.etag,
    Vary: 'Accept-Encoding',
    // index.html must be revalidated (it names the bundle); the bundle too (one name per build).
    'Cache-Control': 'no-cache',
  };
  if (req.headers['if-none-match'] === a.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  const gz = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
  const body = gz ? a.gzip : a.body;
  if (gz) headers['Content-Encoding'] = 'gzip';
  headers['Content-Length'] = String(body.length);
  res.writeHead(200, headers);
  res.end(req.method === 'HEAD' ? undefined : body);
}
