import * as v from 'valibot';
import { parseDuration, parseSize } from './units.js';
import { canonicalKey, closestOption, OPTIONS, type OptionKind } from './options.js';
import { splitArgs } from './split-args.js';

export { splitArgs };

/**
 * Validation of one app of an ecosystem file (or of the CLI flags, turned into the same raw shape):
 * every option is checked and converted by a valibot schema of its kind, aliases and camelCase
 * spellings are mapped to PM2's names, unknown keys get a "did you mean" warning.
 */
export type RawValue = string | number | boolean | string[] | number[] | Record<string, unknown> | null;
export type RawApp = Record<string, unknown>;

function show(v: unknown): string {
  let s: string;
  switch (typeof v) {
    case 'undefined':
      return 'nothing';
    case 'string':
      s = JSON.stringify(v);
      break;
    case 'number':
    case 'boolean':
    case 'bigint':
      s = String(v);
      break;
    case 'object':
      s = v === null ? 'null' : Array.isArray(v) ? JSON.stringify(v) : 'an object';
      break;
    default:
      s = `a ${typeof v}`;
  }
  return s.length > 60 ? `${s.slice(0, 57)}…` : s;
}

type Parse = (input: unknown) => { ok: unknown } | { expected: string };

const isInt = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x);
const numeric = (x: unknown): number | undefined =>
  isInt(x) ? x : typeof x === 'string' && /^-?\d+$/.test(x.trim()) ? Number(x) : undefined;

const PARSERS: Record<OptionKind, Parse> = {
  string: (x) => (typeof x === 'string' ? { ok: x } : { expected: 'a string' }),
  int: (x) => {
    const n = numeric(x);
    return n !== undefined && n >= 0 ? { ok: n } : { expected: 'a whole number ≥ 0' };
  },
  duration: (x) => {
    const n = typeof x === 'number' || typeof x === 'string' ? parseDuration(x) : undefined;
    return n !== undefined
      ? { ok: n }
      : { expected: 'a duration in ms or with a unit ("500ms", "5s", "2m", "1h")' };
  },
  size: (x) => {
    const n = typeof x === 'number' || typeof x === 'string' ? parseSize(x) : undefined;
    return n !== undefined
      ? { ok: n }
      : { expected: 'a size in bytes or with a unit ("300M", "1G", "512K")' };
  },
  boolean: (x) =>
    typeof x === 'boolean'
      ? { ok: x }
      : x === 'true' || x === 'false'
        ? { ok: x === 'true' }
        : { expected: 'true or false' },
  args: (x) =>
    typeof x === 'string'
      ? { ok: splitArgs(x) }
      : Array.isArray(x) && x.every((a) => typeof a === 'string' || typeof a === 'number')
        ? { ok: x.map(String) }
        : { expected: 'a string or an array of strings' },
  strings: (x) =>
    typeof x === 'string'
      ? { ok: [x] }
      : Array.isArray(x) && x.every((a) => typeof a === 'string')
        ? { ok: x }
        : { expected: 'a string or an array of strings' },
  env: (x) => {
    if (typeof x !== 'object' || x === null || Array.isArray(x))
      return { expected: 'an object of variables' };
    const out: Record<string, string> = {};
    for (const [k, val] of Object.entries(x)) {
      if (val === null || val === undefined) continue;
      // PM2 passes an object or array as its JSON text (`CONFIG={"a":1}`).
      if (typeof val === 'object') out[k] = JSON.stringify(val);
      else if (typeof val === 'string' || typeof val === 'number' || typeof val === 'boolean')
        out[k] = String(val);
      else return { expected: `a string, number, boolean, object or array for variable ${k}` };
    }
    return { ok: out };
  },
  instances: (x) => {
    // PM2 takes "max" in any case (`-i MAX`).
    if (typeof x === 'string' && x.trim().toLowerCase() === 'max') return { ok: 'max' };
    const n = numeric(x);
    return n !== undefined ? { ok: n } : { expected: 'a number or "max"' };
  },
  exec_mode: (x) => {
    if (typeof x !== 'string') return { expected: '"fork" or "cluster"' };
    const m = /^(fork|cluster)(_mode)?$/.exec(x);
    return m ? { ok: `${m[1]}_mode` } : { expected: '"fork" or "cluster"' };
  },
  exit_codes: (x) => {
    const list = Array.isArray(x) ? x : [x];
    const nums = list.map(numeric);
    return nums.every((n) => n !== undefined)
      ? { ok: nums }
      : { expected: 'an exit code or an array of exit codes' };
  },
  watch: (x) =>
    typeof x === 'boolean'
      ? { ok: x }
      : typeof x === 'string'
        ? { ok: [x] }
        : Array.isArray(x) && x.every((a) => typeof a === 'string')
          ? { ok: x }
          : { expected: 'true, false, a path or an array of paths' },
  filter_env: (x) =>
    typeof x === 'boolean'
      ? { ok: x }
      : typeof x === 'string'
        ? { ok: [x] }
        : Array.isArray(x) && x.every((a) => typeof a === 'string')
          ? { ok: x }
          : { expected: 'true, false, a string or an array of strings' },
  log_file: (x) =>
    typeof x === 'boolean' || typeof x === 'string' ? { ok: x } : { expected: 'true, false or a path' },
  cron: (x) => {
    if (x === 0 || x === '0') return { ok: null };
    if (typeof x !== 'string') return { expected: 'a cron expression (5 or 6 fields) or 0' };
    const fields = x.trim().split(/\s+/).length;
    return fields === 5 || fields === 6
      ? { ok: x.trim() }
      : { expected: 'a cron expression with 5 or 6 fields' };
  },
  user: (x) =>
    isInt(x) || (typeof x === 'string' && x !== '') ? { ok: x } : { expected: 'a user or group name or id' },
  signal: (x) => {
    if (typeof x !== 'string' || !/^(SIG)?[A-Z][A-Z0-9]*$/i.test(x))
      return { expected: 'a signal name such as "SIGTERM"' };
    const up = x.toUpperCase();
    return { ok: up.startsWith('SIG') ? up : `SIG${up}` };
  },
  object: (x) =>
    typeof x === 'object' && x !== null && !Array.isArray(x) ? { ok: x } : { expected: 'an object' },
  any: (x) => ({ ok: x }),
};

/** A valibot schema that checks and converts one kind, with a message that says what was expected and found. */
function kindSchema(kind: OptionKind) {
  const parse = PARSERS[kind];
  return v.pipe(
    v.unknown(),
    v.rawTransform(({ dataset, addIssue, NEVER }) => {
      const res = parse(dataset.value);
      if ('ok' in res) return res.ok;
      addIssue({ message: `expected ${res.expected}, got ${show(dataset.value)}` });
      return NEVER;
    }),
  );
}

const entries: Record<string, v.GenericSchema> = {};
for (const o of OPTIONS) entries[o.key] = v.optional(kindSchema(o.kind));
const AppSchema = v.looseObject(entries);
const EnvSchema = kindSchema('env');

export interface AppCheck {
  /** Canonical keys, converted values; `env_<name>` sections kept as objects of strings. */
  app: RawApp;
  errors: string[];
  warnings: string[];
}

/**
 * Checks one raw app. `where` prefixes every message (`ecosystem.config.js: apps[1] (api)`).
 * A key that is not an option is a warning with the closest known name, and is dropped.
 * `script: false` checks options without an app (the options given to `restart`).
 */
export function checkApp(raw: unknown, where: string, opts: { script?: boolean } = {}): AppCheck {
  const errors: string[] = [];
  const warnings: string[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    return { app: {}, errors: [`${where}: expected an app object, got ${show(raw)}`], warnings };
  }
  const renamed: RawApp = {};
  const envSections: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (/^env_\S+$/.test(key) && key !== 'env_file') {
      envSections[key] = value;
      continue;
    }
    const canon = canonicalKey(key);
    if (!canon) {
      const near = closestOption(key);
      warnings.push(`${where}: unknown option "${key}" ignored${near ? ` (did you mean "${near}"?)` : ''}`);
      continue;
    }
    if (canon in renamed && canon !== key) {
      warnings.push(`${where}: "${key}" repeats "${canon}"; the first one given is used`);
      continue;
    }
    renamed[canon] = value;
  }
  const res = v.safeParse(AppSchema, renamed);
  const app: RawApp = {};
  if (res.success) {
    for (const [k, val] of Object.entries(res.output)) if (val !== undefined) app[k] = val;
  } else {
    for (const issue of res.issues)
      errors.push(`${where}: ${v.getDotPath(issue) ?? '(app)'}: ${issue.message}`);
  }
  for (const [k, val] of Object.entries(envSections)) {
    const r = v.safeParse(EnvSchema, val);
    if (r.success) app[k] = r.output;
    else errors.push(`${where}: ${k}: ${r.issues[0]?.message ?? 'invalid'}`);
  }
  const needScript = opts.script ?? true;
  if (needScript && errors.length === 0 && (typeof app.script !== 'string' || app.script.trim() === '')) {
    errors.push(`${where}: script: required, got nothing (the file or command to run)`);
  }
  return { app, errors, warnings };
}
