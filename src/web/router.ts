import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Auth, Caller } from './auth.js';
import type { DaemonLink } from './daemon-link.js';
import type { StreamHub } from './stream.js';

/** What a route is (src/web/routes.ts lists them) and how a request finds its route. */
export type Access = 'public' | 'read' | 'admin';
export type Schema = Record<string, unknown>;

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  params: Record<string, string>;
  query: URLSearchParams;
  body: unknown;
  /** Undefined only on public routes. */
  caller: Caller | undefined;
  web: WebDeps;
}

export interface WebDeps {
  daemon: DaemonLink;
  hub: StreamHub;
  auth: Auth;
  /** Served over TLS (the cookie gets `Secure`). */
  secure: boolean;
  openapi: () => unknown;
}

export interface Route {
  method: 'GET' | 'POST' | 'DELETE';
  /** `/api/processes/{target}`: `{x}` matches one path segment. */
  path: string;
  summary: string;
  access: Access;
  params?: Record<string, { description: string; enum?: readonly string[] }>;
  query?: Record<string, { description: string; type: 'integer' | 'boolean' | 'string' }>;
  body?: Schema;
  /** The 200 answer's schema; `stream` routes answer text/event-stream instead. */
  response: Schema;
  stream?: boolean;
  run(ctx: RouteContext): unknown;
}

/** The route a method and path match, with its path parameters; more literal routes win. */
export function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | { allowed: string[] } | undefined {
  const segs = path.split('/');
  const allowed: string[] = [];
  let best: { route: Route; params: Record<string, string>; literal: number } | undefined;
  for (const route of routes) {
    const rs = route.path.split('/');
    if (rs.length !== segs.length) continue;
    const params: Record<string, string> = {};
    let literal = 0;
    let ok = true;
    for (let k = 0; k < rs.length && ok; k++) {
      const r = rs[k] ?? '';
      const s = segs[k] ?? '';
      if (r.startsWith('{')) {
        try {
          params[r.slice(1, -1)] = decodeURIComponent(s);
        } catch {
          ok = false;
        }
        if (s === '') ok = false;
      } else if (r === s) literal += 1;
      else ok = false;
    }
    if (!ok) continue;
    if (route.method !== method) {
      allowed.push(route.method);
      continue;
    }
    if (!best || literal > best.literal) best = { route, params, literal };
  }
  if (best) return { route: best.route, params: best.params };
  return allowed.length > 0 ? { allowed } : undefined;
}
