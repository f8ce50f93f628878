import { stewardVersion } from '../common/version.js';
import { ACTIONS, act, CWD, hideEnv, intParam, logTail, stringField, timeline, type Action } from './api.js';
import { sessionCookie, type Caller } from './auth.js';
import { HttpError } from './http.js';
import type { Route, Schema } from './router.js';

/**
 * Every route of the HTTP API, once: the server dispatches from this table and docs/openapi.json
 * is generated from it (src/web/openapi.ts; a unit test fails while they differ).
 */
const TARGET = { target: { description: 'an app name, a pm_id, or `all`' } };
const obj = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
});
const str = { type: 'string' };
const num = { type: 'number' };
const OP_RESULT = obj({
  ids: { type: 'array', items: num },
  notes: { type: 'array', items: str },
  failed: { type: 'array', items: { type: 'object' } },
});
const ENTRY = { $ref: '#/components/schemas/ProcessEntry' };
const ROW = { $ref: '#/components/schemas/ProcessRow' };

export const ROUTES: Route[] = [
  {
    method: 'POST',
    path: '/api/session',
    summary:
      'Exchange a token for a session cookie (HttpOnly, SameSite=Strict); answers the role and the CSRF token to send as X-CSRF-Token',
    access: 'public',
    body: obj({ token: str }, ['token']),
    response: obj({ role: { enum: ['admin', 'read'] }, csrf: str, version: str }),
    run: async ({ req, res, body, web }) => {
      const token = stringField(body, 'token') ?? '';
      const role = web.auth.roleOf(token);
      const client = req.socket.remoteAddress ?? 'unknown';
      web.auth.checkThrottle(client);
      if (!role) {
        await web.auth.failed(client);
        throw new HttpError(
          401,
          'E_UNAUTHORIZED',
          'the token is not valid',
          'use the URL printed by `steward web`',
        );
      }
      web.auth.succeeded(client);
      const { id, session } = web.auth.login(role);
      res.setHeader('Set-Cookie', sessionCookie(id, web.secure));
      return { role, csrf: session.csrf, version: stewardVersion() };
    },
  },
  {
    method: 'GET',
    path: '/api/session',
    summary: 'The current session: role and CSRF token (401 without one)',
    access: 'read',
    response: obj({ role: { enum: ['admin', 'read'] }, csrf: str, version: str }),
    run: ({ caller }) => ({
      role: caller?.role,
      csrf: caller?.session?.csrf ?? null,
      version: stewardVersion(),
    }),
  },
  {
    method: 'DELETE',
    path: '/api/session',
    summary: 'Log out (the session cookie stops working)',
    access: 'read',
    response: obj({ ok: { type: 'boolean' } }),
    run: ({ req, res, web }) => {
      web.auth.logout(req);
      res.setHeader('Set-Cookie', sessionCookie('', web.secure, 0));
      return { ok: true };
    },
  },
  {
    method: 'GET',
    path: '/api/processes',
    summary:
      'Every process, in the shape of `steward jlist` (environment values hidden unless `env=1`, admin only)',
    access: 'read',
    query: { env: { description: 'show environment values (admin only)', type: 'boolean' } },
    response: { type: 'array', items: ENTRY },
    run: async ({ query, caller, web }) => {
      const list = await web.daemon.call('jlist', {});
      return wantsEnv(query, caller) ? list : hideEnv(list);
    },
  },
  {
    method: 'GET',
    path: '/api/processes/{target}',
    summary: 'The instances of one app (like `steward describe`, with restart history and agent metrics)',
    access: 'read',
    params: TARGET,
    query: { env: { description: 'show environment values (admin only)', type: 'boolean' } },
    response: { type: 'array', items: ENTRY },
    run: async ({ params, query, caller, web }) => {
      const list = await web.daemon.call('describe', {
        targets: [params.target ?? ''],
        cwd: CWD,
      });
      return wantsEnv(query, caller) ? list : hideEnv(list);
    },
  },
  {
    method: 'GET',
    path: '/api/processes/{target}/env',
    summary: 'The environment of each instance (like `steward env`); admin only',
    access: 'admin',
    params: TARGET,
    response: { type: 'array', items: obj({ pm_id: num, env: { type: 'object' } }) },
    run: ({ params, web }) => web.daemon.call('env', { targets: [params.target ?? ''], cwd: CWD }),
  },
  {
    method: 'GET',
    path: '/api/processes/{target}/history',
    summary: 'The last hour of CPU, memory, event-loop lag, heap, HTTP rate and latency per instance',
    access: 'read',
    params: TARGET,
    response: { type: 'array', items: { $ref: '#/components/schemas/InstanceHistory' } },
    run: ({ params, web }) => web.daemon.call('history', { targets: [params.target ?? ''], cwd: CWD }),
  },
  {
    method: 'GET',
    path: '/api/processes/{target}/logs',
    summary: 'The last lines of the out and error logs, in time order',
    access: 'read',
    params: TARGET,
    query: { lines: { description: 'how many lines (default 200, at most 5000)', type: 'integer' } },
    response: {
      type: 'array',
      items: obj({ pm_id: num, name: str, type: { enum: ['out', 'err'] }, at: num, text: str }),
    },
    run: ({ params, query, web }) =>
      logTail(web.daemon, params.target ?? '', intParam(query.get('lines'), 200, 5000, 'lines')),
  },
  {
    method: 'POST',
    path: '/api/processes/{target}/{action}',
    summary: 'restart, reload, stop, start, delete, reset or flush the target, as the CLI command does',
    access: 'admin',
    params: { ...TARGET, action: { description: 'the operation', enum: ACTIONS } },
    response: OP_RESULT,
    run: ({ params, web }) => {
      const action = params.action as Action;
      if (!ACTIONS.includes(action)) {
        throw new HttpError(
          404,
          'E_NOT_FOUND',
          `unknown action "${params.action}"`,
          `actions: ${ACTIONS.join(', ')}`,
        );
      }
      return act(web.daemon, action, params.target ?? '');
    },
  },
  {
    method: 'POST',
    path: '/api/processes/{target}/scale',
    summary:
      'Scale an app to a number of instances (`4`), or up/down by some (`+2`, `-1`), as `steward scale`',
    access: 'admin',
    params: { target: { description: 'the app name' } },
    body: obj({ instances: str }, ['instances']),
    response: OP_RESULT,
    run: ({ params, body, web }) => {
      const raw = (body as Record<string, unknown> | null)?.instances;
      const spec = typeof raw === 'number' ? String(raw) : stringField(body, 'instances');
      return web.daemon.call('scale', { name: params.target ?? '', spec: spec ?? '' });
    },
  },
  {
    method: 'POST',
    path: '/api/processes/{target}/actions/{action}',
    summary: "Trigger one of the app's agent actions (as `steward trigger`)",
    access: 'admin',
    params: { ...TARGET, action: { description: 'the action name the app registered' } },
    body: obj({ params: str }),
    response: {
      type: 'array',
      items: obj({ pm_id: num, name: str, ok: { type: 'boolean' }, return: {}, error: str }),
    },
    run: ({ params, body, web }) => {
      const p = stringField(body, 'params', true);
      return web.daemon.call('trigger', {
        targets: [params.target ?? ''],
        cwd: CWD,
        action: params.action ?? '',
        ...(p !== undefined ? { params: p } : {}),
        timeout_ms: 10_000,
      });
    },
  },
  {
    method: 'GET',
    path: '/api/rows',
    summary: 'The compact process table (the `steward ls` rows) that the event stream pushes every second',
    access: 'read',
    response: { type: 'array', items: ROW },
    run: ({ web }) => web.daemon.call('list', {}),
  },
  {
    method: 'GET',
    path: '/api/events',
    summary:
      'The host timeline: every instance history entry (start, exit with code or signal, restart with reason…), newest first',
    access: 'read',
    query: { limit: { description: 'how many (default 200, at most 2000)', type: 'integer' } },
    response: {
      type: 'array',
      items: obj({ at: num, pm_id: num, name: str, event: str, reason: str, exit_code: num, signal: str }),
    },
    run: ({ query, web }) =>
      timeline(web.daemon, intParam(query.get('limit'), 200, 2000, 'limit'), web.hub.timeline),
  },
  {
    method: 'GET',
    path: '/api/notifications',
    summary:
      "The notification channels and their state (as `steward notify status`): `failing` after 3 failed attempts in a row, with the last error (never the channel's address)",
    access: 'read',
    response: {
      type: 'array',
      items: obj({
        channel: str,
        configured: { type: 'boolean' },
        state: str,
        queued: num,
        sent: num,
        failures: num,
        dropped: num,
        last_error: str,
        last_error_at: num,
      }),
    },
    run: async ({ web }) =>
      (await web.daemon.call('notifyStatus', {})).channels.map((c) => ({
        channel: c.channel,
        configured: c.configured,
        state: c.state,
        queued: c.queued,
        sent: c.sent,
        failures: c.failures,
        dropped: c.dropped,
        ...(c.last_error !== undefined ? { last_error: c.last_error } : {}),
        ...(c.last_error_at !== undefined ? { last_error_at: c.last_error_at } : {}),
      })),
  },
  {
    method: 'POST',
    path: '/api/save',
    summary: 'Save the process list for resurrect (as `steward save`)',
    access: 'admin',
    response: obj({ path: str, count: num }),
    run: ({ web }) => web.daemon.call('save', { force: false }),
  },
  {
    method: 'GET',
    path: '/api/stream',
    summary:
      'Server-sent events: `hello` {id, role}, `table` {at, rows} every second, `event` (a table event), `log` (output of the watched app), `reply` (an action answer)',
    access: 'read',
    stream: true,
    response: { type: 'string' },
    run: ({ res, caller, web }) => {
      web.hub.open(res, caller?.role ?? 'read');
      return undefined;
    },
  },
  {
    method: 'POST',
    path: '/api/stream/{id}/logs',
    summary:
      'Choose the app whose output the stream `id` receives as `log` events (`{"target": null}` for none)',
    access: 'read',
    params: { id: { description: 'the id from the stream’s `hello` event' } },
    body: obj({ target: { type: ['string', 'null'] } }, ['target']),
    response: obj({ ok: { type: 'boolean' } }),
    run: ({ params, body, web }) => {
      const raw = (body as Record<string, unknown> | null)?.target;
      const target = raw === null ? null : (stringField(body, 'target') ?? null);
      if (!web.hub.watchLogs(params.id ?? '', target)) {
        throw new HttpError(
          404,
          'E_NOT_FOUND',
          'no such stream',
          'open GET /api/stream first and use the id of its hello event',
        );
      }
      return { ok: true };
    },
  },
  {
    method: 'GET',
    path: '/api/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    access: 'read',
    response: { type: 'object' },
    run: ({ web }) => web.openapi(),
  },
];

function wantsEnv(query: URLSearchParams, caller: Caller | undefined): boolean {
  const asked = query.get('env') === '1' || query.get('env') === 'true';
  if (asked && caller?.role !== 'admin') {
    throw new HttpError(
      403,
      'E_FORBIDDEN',
      'a read-only session cannot see environment values',
      'log in with the admin token',
    );
  }
  return asked;
}
