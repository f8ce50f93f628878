import type { Route, Schema } from './router.js';
import { ROUTES } from './routes.js';

/**
 * docs/openapi.json, generated from the route table (`node scripts/gen-openapi.js`; a unit test
 * fails while the committed file differs). No version or date inside, so it only changes with the API.
 */
const ERROR = {
  description: 'an error',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            properties: { code: { type: 'string' }, message: { type: 'string' }, hint: { type: 'string' } },
            required: ['code', 'message'],
          },
        },
        required: ['error'],
      },
    },
  },
};

const SCHEMAS: Record<string, Schema> = {
  ProcessEntry: {
    type: 'object',
    description:
      'One instance in the shape of `steward jlist` (PM2’s): pid, name, pm_id, monit {cpu, memory}, pm2_env {status, restart_time, env …}, and Steward’s details under `steward` (history, next_restart_at …)',
    properties: {
      pid: { type: 'number' },
      name: { type: 'string' },
      pm_id: { type: 'number' },
      monit: { type: 'object', properties: { cpu: { type: 'number' }, memory: { type: 'number' } } },
      pm2_env: { type: 'object' },
      steward: { type: 'object' },
    },
  },
  ProcessRow: {
    type: 'object',
    description: 'One `steward ls` row',
    properties: Object.fromEntries(
      [
        ['pm_id', 'number'],
        ['name', 'string'],
        ['namespace', 'string'],
        ['version', 'string'],
        ['exec_mode', 'string'],
        ['pid', 'number'],
        ['pm_uptime', 'number'],
        ['restart_time', 'number'],
        ['unstable_restarts', 'number'],
        ['status', 'string'],
        ['cpu', 'number'],
        ['memory', 'number'],
        ['username', 'string'],
        ['watch', 'boolean'],
        ['pm_exec_path', 'string'],
      ].map(([k, t]) => [k, { type: t }]),
    ),
  },
  InstanceHistory: {
    type: 'object',
    description:
      'fine: one point a second for the last 2 minutes; coarse: 10 s means for the last hour. series[name][k] is the value at start + k × step_ms (null: no sample). Series: cpu (%), memory (bytes), loop_lag (ms), heap (MiB), http_rate (req/min), http_latency (ms)',
    properties: {
      pm_id: { type: 'number' },
      name: { type: 'string' },
      fine: { $ref: '#/components/schemas/HistoryRing' },
      coarse: { $ref: '#/components/schemas/HistoryRing' },
    },
  },
  HistoryRing: {
    type: 'object',
    properties: {
      step_ms: { type: 'number' },
      start: { type: 'number' },
      series: {
        type: 'object',
        additionalProperties: { type: 'array', items: { type: ['number', 'null'] } },
      },
    },
  },
};

function operation(r: Route): Record<string, unknown> {
  const parameters: unknown[] = [];
  for (const [name, p] of Object.entries(r.params ?? {})) {
    parameters.push({
      name,
      in: 'path',
      required: true,
      description: p.description,
      schema: p.enum ? { type: 'string', enum: [...p.enum] } : { type: 'string' },
    });
  }
  for (const [name, q] of Object.entries(r.query ?? {})) {
    parameters.push({
      name,
      in: 'query',
      required: false,
      description: q.description,
      schema: { type: q.type },
    });
  }
  const ok = r.stream
    ? { description: 'an event stream', content: { 'text/event-stream': { schema: r.response } } }
    : { description: 'success', content: { 'application/json': { schema: r.response } } };
  // 429: another attempt while the last failed login of the same address is waited out.
  const responses: Record<string, unknown> = { '200': ok, '400': ERROR, '401': ERROR, '429': ERROR };
  if (r.access === 'admin' || r.method !== 'GET') responses['403'] = ERROR;
  if (r.params?.target) responses['404'] = ERROR;
  return {
    summary: r.summary,
    ...(r.access === 'public' ? { security: [] } : {}),
    ...(r.access === 'admin' ? { description: 'Needs the admin token (a read-only session gets 403).' } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(r.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: r.body } } } }
      : {}),
    responses,
  };
}

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const r of ROUTES) {
    const p = (paths[r.path] ??= {});
    p[r.method.toLowerCase()] = operation(r);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Steward web API',
      version: '1',
      description:
        'The JSON API of `steward web` (docs/http-api.md). Authenticate with `Authorization: Bearer <token>` (the token in the URL `steward web` prints), or a session cookie from POST /api/session plus X-CSRF-Token on changes.',
    },
    servers: [{ url: 'http://127.0.0.1:9615' }],
    security: [{ bearer: [] }, { session: [] }],
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        session: { type: 'apiKey', in: 'cookie', name: 'steward_session' },
      },
      schemas: SCHEMAS,
    },
    paths,
  };
}
