import { OUTPUT_AND_HEALTH_OPTIONS } from './options-output.js';
import { PM2_ONLY_OPTIONS } from './options-pm2.js';
import { RESTART_OPTIONS } from './options-restart.js';

/**
 * Every ecosystem option Steward knows, under PM2's names: its aliases, what it accepts, what it
 * does, and whether Steward acts on it. One table drives validation (src/config/ecosystem-schema.ts),
 * the JSON Schema for editors (schema/ecosystem.schema.json) and the reference in docs/ecosystem.md.
 */
export type OptionKind =
  | 'string'
  | 'int'
  | 'duration'
  | 'size'
  | 'boolean'
  | 'args'
  | 'strings'
  | 'env'
  | 'instances'
  | 'exec_mode'
  | 'exit_codes'
  | 'watch'
  | 'filter_env'
  | 'log_file'
  | 'cron'
  | 'user'
  | 'signal'
  | 'object'
  | 'any';

/**
 * `active`: Steward acts on it. `planned`: accepted, validated and kept (shown in `jlist`), acted on
 * by a later release. `ignored`: accepted quietly for compatibility, no effect (PM2 Plus, APM…).
 */
export type OptionStatus = 'active' | 'planned' | 'ignored';

export interface OptionSpec {
  key: string;
  aliases?: readonly string[];
  kind: OptionKind;
  status: OptionStatus;
  doc: string;
  default?: string;
  example?: string;
  /** How Steward differs from PM2 here. */
  pm2?: string;
  /** Its `start` flags (commander syntax); the CLI's flag table is generated from these. */
  cli?: readonly CliFlag[];
}

export interface CliFlag {
  flags: string;
  /** Help text (default: `doc`). */
  help?: string;
  /** May be given several times, each time with one value (PM2's `--watch a --watch b`). */
  repeat?: boolean;
}

export const OPTIONS: readonly OptionSpec[] = [
  {
    key: 'name',
    cli: [{ flags: '-n, --name <name>', help: 'app name (default: script name without extension)' }],
    kind: 'string',
    status: 'active',
    doc: 'Name in the process list; a target for commands',
    default: 'script file name without extension',
    example: '"api"',
  },
  {
    key: 'script',
    aliases: ['exec', 'cmd', 'command'],
    kind: 'string',
    status: 'active',
    doc: 'File to run, or a command on PATH; a string with spaces runs through bash -c. Required',
    example: '"./server.js"',
  },
  {
    key: 'namespace',
    cli: [{ flags: '--namespace <ns>', help: 'namespace, a group you can target (default: "default")' }],
    kind: 'string',
    status: 'active',
    doc: 'Group name; a target for commands',
    default: '"default"',
    example: '"backend"',
  },
  {
    key: 'cwd',
    cli: [{ flags: '--cwd <dir>', help: 'working directory of the app' }],
    kind: 'string',
    status: 'active',
    doc: 'Working directory; relative paths in the app are resolved from it',
    default: 'the directory `steward` runs in',
    example: '"/srv/api"',
    pm2: 'When the script is not found from the CLI directory but is found next to the config file, Steward uses that (PM2 fails)',
  },
  {
    key: 'args',
    kind: 'args',
    status: 'active',
    doc: 'Arguments for the script: an array, or a string split with shell quoting (quotes, backslash escapes; nothing expanded)',
    example: '["--port", "3000"]',
  },
  {
    key: 'exec_interpreter',
    cli: [
      {
        flags: '--interpreter <cmd>',
        help: 'interpreter (node, python3, bash…; "none" runs the script itself)',
      },
    ],
    aliases: ['interpreter'],
    kind: 'string',
    status: 'active',
    doc: 'Interpreter: node, python3, bash…, a path, or "none" to run the script itself',
    default: 'from the extension (.js node, .py python3, .sh bash, .rb ruby, .php php, .pl perl, .ts node)',
    example: '"python3"',
    pm2: '.ts runs with Node (type stripping or tsx), not bun',
  },
  {
    key: 'node_args',
    cli: [
      { flags: '--node-args <args>', help: 'arguments for the interpreter (node or another)' },
      { flags: '--interpreter-args <args>', help: 'alias of --node-args' },
    ],
    aliases: ['interpreter_args', 'interpreterArgs', 'nodeArgs'],
    kind: 'args',
    status: 'active',
    doc: 'Arguments for the interpreter',
    example: '"--max-old-space-size=512"',
  },
  {
    key: 'exec_mode',
    aliases: ['mode'],
    kind: 'exec_mode',
    status: 'active',
    doc: 'fork or cluster (fork_mode/cluster_mode accepted)',
    default: 'fork',
    example: '"cluster"',
  },
  {
    key: 'instances',
    cli: [
      { flags: '-i, --instances <n>', help: 'number of processes: N, max (one per CPU), -N (CPUs minus N)' },
    ],
    kind: 'instances',
    status: 'active',
    doc: 'Number of processes: N, "max" or 0 (one per CPU), -N (CPUs minus N)',
    default: '1',
    example: '"max"',
  },
  {
    key: 'env',
    kind: 'env',
    status: 'active',
    doc: 'Environment variables: values are turned into strings, an object or array into its JSON text (as in PM2)',
    example: '{ "NODE_ENV": "development" }',
  },
  {
    key: 'env_file',
    cli: [{ flags: '--env-file <file>', help: 'load variables from a dotenv file' }],
    kind: 'string',
    status: 'active',
    doc: 'A dotenv file loaded under `env` (relative to cwd)',
    example: '".env"',
    pm2: 'Steward only',
  },
  {
    key: 'filter_env',
    cli: [
      {
        flags: '--filter-env [name]',
        help: 'do not pass shell variables whose names contain this string (repeat for more; alone: none)',
        repeat: true,
      },
    ],
    kind: 'filter_env',
    status: 'active',
    doc: 'true: do not inherit the shell environment; strings: drop shell variables whose names contain them',
    default: 'false',
    example: '["AWS_"]',
  },
  {
    key: 'append_env_to_name',
    kind: 'boolean',
    status: 'active',
    doc: 'Append -<env> to the name when --env is used',
    default: 'false',
  },
  {
    key: 'instance_var',
    kind: 'string',
    status: 'active',
    doc: 'Name of the variable holding the instance number',
    default: '"NODE_APP_INSTANCE"',
  },
  {
    key: 'increment_var',
    kind: 'string',
    status: 'active',
    doc: 'A variable increased by the instance number (PORT 3000, 3001…)',
    example: '"PORT"',
  },
  { key: 'port', kind: 'int', status: 'active', doc: 'Shortcut for env.PORT', example: '3000' },
  ...RESTART_OPTIONS,
  ...OUTPUT_AND_HEALTH_OPTIONS,
  ...PM2_ONLY_OPTIONS,
];

export const OPTION_BY_KEY: ReadonlyMap<string, OptionSpec> = new Map(OPTIONS.map((o) => [o.key, o]));

export { canonicalKey, closestOption, editDistance } from './option-lookup.js';
