import type { IncomingMessage, ServerResponse } from 'node:http';
import { isStewardError } from '../common/errors.js';

/** Biggest request body accepted (every API body is a few small fields). */
export const BODY_MAX = 64 * 1024;

/**
 * An expected HTTP failure: its status and the `{error:{code,message,hint}}` body. Codes of the
 * web layer (E_UNAUTHORIZED, E_FORBIDDEN, …) sit beside the daemon's StewardError codes.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

/** The status a daemon error maps to. */
const STATUS_OF: Record<string, number> = {
  E_APP_NOT_FOUND: 404,
  E_SCRIPT_NOT_FOUND: 404,
  E_USAGE: 400,
  E_BAD_OPTION: 400,
  E_BAD_REQUEST: 400,
  E_CONFIG: 400,
  E_ALREADY_RUNNING: 409,
  E_SUPERSEDED: 409,
  E_GONE: 409,
  E_STATE: 409,
  E_EMPTY_LIST: 409,
  E_APP_CRASHED: 422,
  E_RELOAD_FAILED: 422,
  E_DAEMON_UNREACHABLE: 503,
};

export function toHttpError(e: unknown): HttpError {
  if (e instanceof HttpError) return e;
  if (isStewardError(e)) return new HttpError(STATUS_OF[e.code] ?? 500, e.code, e.message, e.hint);
  return new HttpError(500, 'E_INTERNAL', 'internal error', 'see the daemon log (STEWARD_HOME/daemon.log)');
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-store',
};

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendError(res: ServerResponse, e: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const error: Record<string, string> = { code: e.code, message: e.message };
  if (e.hint) error.hint = e.hint;
  sendJson(res, e.status, { error }, e.status === 401 ? { 'WWW-Authenticate': 'Bearer' } : {});
}

export { SECURITY_HEADERS };

/** Reads a JSON body: 413 past BODY_MAX, 400 when it does not parse, 415 when it is not JSON. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > BODY_MAX) throw tooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > BODY_MAX) throw tooLarge();
    chunks.push(chunk);
  }
  if (size === 0) return {};
  const type = req.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(
      415,
      'E_BAD_REQUEST',
      `expected a JSON body, got ${type || 'no Content-Type'}`,
      'send Content-Type: application/json',
    );
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch (e) {
    throw new HttpError(
      400,
      'E_BAD_JSON',
      `malformed JSON body: ${(e as Error).message}`,
      'send a JSON object',
    );
  }
}

function tooLarge(): HttpError {
  return new HttpError(413, 'E_TOO_LARGE', `request body over ${BODY_MAX} bytes`, 'send a smaller body');
}

/** The named cookie of a request, if any. */
export function cookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
