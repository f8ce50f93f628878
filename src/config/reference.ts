import { OPTIONS, type OptionKind, type OptionSpec } from './options.js';

/**
 * Generated artefacts of the option table: the JSON Schema for editors
 * (schema/ecosystem.schema.json) and the option reference in docs/ecosystem.md. `npm run docs`
 * writes both; a unit test fails when they are stale.
 */
type Json = Record<string, unknown>;

const DURATION = '^\\d+(\\.\\d+)?\\s*(ms|s|sec|m|min|h|d)?$';
const SIZE = '^\\d+(\\.\\d+)?\\s*([kKmMgGtT]i?[bB]?)?$';
const strOrList: Json = { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] };

const KIND_SCHEMA: Record<OptionKind, Json> = {
  string: { type: 'string' },
  int: {
    anyOf: [
      { type: 'integer', minimum: 0 },
      { type: 'string', pattern: '^\\d+$' },
    ],
  },
  duration: {
    anyOf: [
      { type: 'number', minimum: 0 },
      { type: 'string', pattern: DURATION },
    ],
  },
  size: {
    anyOf: [
      { type: 'number', minimum: 0 },
      { type: 'string', pattern: SIZE },
    ],
  },
  boolean: { type: 'boolean' },
  args: strOrList,
  strings: strOrList,
  env: { type: 'object', additionalProperties: { type: ['string', 'number', 'boolean', 'null'] } },
  instances: { anyOf: [{ type: 'integer' }, { const: 'max' }, { type: 'string', pattern: '^-?\\d+$' }] },
  exec_mode: { enum: ['fork', 'cluster', 'fork_mode', 'cluster_mode'] },
  exit_codes: { anyOf: [{ type: 'integer' }, { type: 'array', items: { type: 'integer' } }] },
  watch: { anyOf: [{ type: 'boolean' }, ...(strOrList.anyOf as Json[])] },
  filter_env: { anyOf: [{ type: 'boolean' }, ...(strOrList.anyOf as Json[])] },
  log_file: { type: ['boolean', 'string'] },
  cron: { anyOf: [{ type: 'string' }, { const: 0 }] },
  user: { type: ['string', 'integer'] },
  signal: { type: 'string', pattern: '^(SIG)?[A-Za-z0-9]+$' },
  object: { type: 'object' },
  any: {},
};

const camel = (k: string) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

function optionSchema(o: OptionSpec): Json {
  return { ...KIND_SCHEMA[o.kind], description: o.doc + (o.default ? ` (default: ${o.default})` : '') };
}

export function ecosystemJsonSchema(): Json {
  const props: Record<string, Json> = {};
  for (const o of OPTIONS) {
    for (const k of [o.key, ...(o.aliases ?? [])]) {
      props[k] = optionSchema(o);
      if (camel(k) !== k) props[camel(k)] = optionSchema(o);
    }
  }
  const app: Json = {
    type: 'object',
    properties: props,
    patternProperties: {
      '^env_\\S+$': { ...KIND_SCHEMA.env, description: 'Applied over env with --env <name>' },
    },
    additionalProperties: false,
    anyOf: ['script', 'exec', 'cmd', 'command'].map((k) => ({ required: [k] })),
  };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://steward.dev/schema/ecosystem.schema.json',
    title: 'Steward / PM2 ecosystem file',
    definitions: { app },
    anyOf: [
      {
        type: 'object',
        properties: {
          apps: {
            anyOf: [{ type: 'array', items: { $ref: '#/definitions/app' } }, { $ref: '#/definitions/app' }],
          },
          deploy: { type: 'object' },
        },
        required: ['apps'],
      },
      { type: 'array', items: { $ref: '#/definitions/app' } },
      { $ref: '#/definitions/app' },
    ],
  };
}

const KIND_LABEL: Record<OptionKind, string> = {
  string: 'string',
  int: 'integer',
  duration: 'duration (ms, or "500ms", "5s", "2m", "1h")',
  size: 'size (bytes, or "512K", "300M", "1G")',
  boolean: 'boolean',
  args: 'string or string[]',
  strings: 'string or string[]',
  env: 'object',
  instances: 'integer or "max"',
  exec_mode: '"fork" or "cluster"',
  exit_codes: 'integer or integer[]',
  watch: 'boolean, string or string[]',
  filter_env: 'boolean, string or string[]',
  log_file: 'boolean or string',
  cron: 'string (5 or 6 fields) or 0',
  user: 'string or integer',
  signal: 'signal name',
  object: 'object',
  any: 'any',
};

export function optionReference(): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const rows = (status: OptionSpec['status']) =>
    OPTIONS.filter((o) => o.status === status).map((o) => {
      const names = [o.key, ...(o.aliases ?? [])].map((k) => `\`${k}\``).join(', ');
      return `| ${names} | ${esc(KIND_LABEL[o.kind])} | ${esc(o.default ?? '')} | ${esc(o.doc)}${o.example ? ` — e.g. \`${esc(o.example)}\`` : ''} | ${esc(o.pm2 ?? '')} |`;
    });
  const head = [
    '| option (aliases) | type | default | meaning | difference from PM2 |',
    '|---|---|---|---|---|',
  ];
  return [
    '### Options Steward acts on',
    '',
    ...head,
    ...rows('active'),
    '',
    '### Options accepted and kept, acted on in a later release',
    '',
    'These are validated and shown in `jlist`/`show`, so a PM2 file loads unchanged, but Steward does not act on',
    'them yet (log formatting, memory limit, cron, watch, readiness: see the open issues).',
    '',
    ...head,
    ...rows('planned'),
    '',
    '### PM2 options accepted quietly, with no effect',
    '',
    'PM2 Plus, APM and Windows switches: accepted so that PM2 files need no edit, ignored on purpose.',
    '',
    '| option | why it has no effect |',
    '|---|---|',
    ...OPTIONS.filter((o) => o.status === 'ignored').map((o) => `| \`${o.key}\` | ${esc(o.doc)} |`),
    '',
  ].join('\n');
}
