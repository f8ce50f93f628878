import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StewardError } from '../common/errors.js';

/**
 * Reading an ecosystem file: JS (CommonJS or ESM, `export default` unwrapped), JSON (with comments,
 * unquoted keys, single quotes and trailing commas, parsed by JSON5 — never evaluated), YAML.
 * Returns the file's top-level value; src/config/ecosystem.ts takes the apps out of it.
 */
export const DEFAULT_FILES = [
  'ecosystem.config.js',
  'ecosystem.config.cjs',
  'ecosystem.config.mjs',
  'ecosystem.config.json',
  'ecosystem.json',
  'ecosystem.json5',
  'ecosystem.config.yml',
  'ecosystem.config.yaml',
  'ecosystem.yml',
  'ecosystem.yaml',
];

/** Is this argument a config file rather than a script? Detected by name, as PM2 does. */
export function isConfigFile(arg: string): boolean {
  const b = basename(arg).toLowerCase();
  return (
    /\.(json|json5|ya?ml)$/.test(b) || /(^|\.)config\.(c|m)?js$/.test(b) || /^ecosystem.*\.(c|m)?js$/.test(b)
  );
}

export function findDefaultFile(cwd: string): string | undefined {
  return DEFAULT_FILES.map((f) => join(cwd, f)).find((p) => existsSync(p));
}

function configError(file: string, what: string, hint: string): StewardError {
  return new StewardError('E_CONFIG', `${file}: ${what}`, { hint });
}

export function parseText(text: string, file: string, format: 'json' | 'yaml'): Promise<unknown> {
  return format === 'yaml' ? parseYaml(text, file) : parseJson5(text, file);
}

async function parseJson5(text: string, file: string): Promise<unknown> {
  const { default: JSON5 } = await import('json5');
  try {
    return JSON5.parse(text);
  } catch (e) {
    const err = e as Error & { lineNumber?: number; columnNumber?: number };
    const where = err.lineNumber ? ` at line ${err.lineNumber}, column ${err.columnNumber ?? 0}` : '';
    const why = err.message.replace(/^JSON5: /, '').replace(/ at \d+:\d+$/, '');
    throw configError(
      file,
      `syntax error${where}: ${why}`,
      'fix the JSON (comments, unquoted keys and trailing commas are fine)',
    );
  }
}

async function parseYaml(text: string, file: string): Promise<unknown> {
  // `default`: the CLI bundle (esbuild) gives the CommonJS build of `yaml` as a default export only.
  const { default: YAML } = await import('yaml');
  const lineCounter = new YAML.LineCounter();
  const doc = YAML.parseDocument(text, { prettyErrors: false, lineCounter });
  const err = doc.errors[0];
  if (err) {
    // Without prettyErrors, `linePos` is not filled in: the line counter gives the position.
    const pos = lineCounter.linePos(err.pos[0]);
    const where = pos ? ` at line ${pos.line}, column ${pos.col}` : '';
    throw configError(
      file,
      `syntax error${where}: ${err.message.split('\n')[0] ?? err.code}`,
      'fix the YAML',
    );
  }
  return doc.toJS() as unknown;
}

/** ` at line L, column C` of the first place in the config file itself that a load error names. */
function errorPosition(stack: string, abs: string): string {
  // A CommonJS syntax error starts with `path:line` and the offending source line.
  const head = /^(.+):(\d+)\n/.exec(stack);
  if (head?.[1] === abs) return ` at line ${head[2]}`;
  for (const m of stack.matchAll(/\n\s+at (?:.*\()?([^\s()]+):(\d+):(\d+)\)?/g)) {
    const where = m[1] ?? '';
    const path = where.startsWith('file:') ? fileURLToPath(where.replace(/\?.*$/, '')) : where;
    if (path === abs) return ` at line ${m[2]}, column ${m[3]}`;
  }
  return '';
}

/**
 * `import()` of an ecosystem file. The CLI bundle runs as a vm.Script with a V8 code cache
 * (src/cli/boot.ts), and on Node 20 a script deserialized from a cache loses its dynamic-import
 * callback ("A dynamic import callback was not specified"), so the launcher, an ordinary CommonJS
 * module, lends its own `import()` under this symbol. The build checks that this is the bundle's
 * only `import()`.
 */
export const IMPORT_HOOK = Symbol.for('steward.import');

function importFile(url: string): Promise<unknown> {
  const lent = (globalThis as { [IMPORT_HOOK]?: (url: string) => Promise<unknown> })[IMPORT_HOOK];
  return lent ? lent(url) : import(url);
}

async function loadJs(abs: string, file: string): Promise<unknown> {
  let mod: Record<string, unknown>;
  try {
    // A query string defeats the module cache, so a long-lived process (the API) sees edits.
    mod = (await importFile(`${pathToFileURL(abs).href}?t=${Date.now()}`)) as Record<string, unknown>;
  } catch (e) {
    const err = e as Error;
    const kind = err instanceof SyntaxError ? 'syntax error' : 'error while loading';
    throw configError(
      file,
      `${kind}${errorPosition(err.stack ?? '', abs)}: ${err.message.split('\n')[0] ?? ''}`,
      'fix the file; it is run with Node to read it',
    );
  }
  // ESM `export default` and CommonJS `module.exports` both arrive as `default`; ESM files may
  // also export `apps` by name (PM2's only way).
  const def = mod.default;
  if (def !== undefined && def !== null && (typeof def === 'object' || Array.isArray(def))) return def;
  if ('apps' in mod) return { apps: mod.apps, deploy: mod.deploy };
  throw configError(
    file,
    'exports nothing usable',
    'export the config: `module.exports = { apps: [...] }` or `export default { apps: [...] }`',
  );
}

/** Reads and parses a config file (or `-` for stdin text passed as `stdinText`). */
export async function readConfigFile(
  file: string,
  cwd: string,
  stdinText?: string,
): Promise<{ value: unknown; abs: string }> {
  if (file === '-') {
    const text = stdinText ?? '';
    const looksYaml = !/^\s*[[{]/.test(text);
    return { value: await parseText(text, 'stdin', looksYaml ? 'yaml' : 'json'), abs: join(cwd, 'stdin') };
  }
  const abs = resolve(cwd, file);
  if (!existsSync(abs))
    throw configError(file, 'file not found', `check the path (looked in ${dirname(abs)})`);
  const ext = extname(abs).toLowerCase();
  if (ext === '.js' || ext === '.cjs' || ext === '.mjs') return { value: await loadJs(abs, file), abs };
  const text = readFileSync(abs, 'utf8');
  return { value: await parseText(text, file, ext === '.yml' || ext === '.yaml' ? 'yaml' : 'json'), abs };
}
