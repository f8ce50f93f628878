/** Calls to the dashboard's own API, with the session's CSRF token on every change. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint: string | undefined,
  ) {
    super(message);
  }
}

let csrf = '';

export function setCsrf(token: string): void {
  csrf = token;
}

export async function call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  const res = await fetch(path, {
    method,
    headers,
    credentials: 'same-origin',
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const data = (await res.json().catch(() => null)) as
    (T & { error?: { code: string; message: string; hint?: string } }) | null;
  if (!res.ok) {
    const e = data?.error;
    throw new ApiError(res.status, e?.code ?? 'E_HTTP', e?.message ?? `HTTP ${res.status}`, e?.hint);
  }
  return data as T;
}

export const enc = encodeURIComponent;

export interface Row {
  pm_id: number;
  name: string;
  namespace: string;
  exec_mode: string;
  pid: number;
  pm_uptime: number;
  restart_time: number;
  unstable_restarts: number;
  status: string;
  cpu: number;
  memory: number;
}

export interface Session {
  role: 'admin' | 'read';
  csrf: string | null;
  version: string;
}
