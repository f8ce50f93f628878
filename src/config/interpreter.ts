import { extname } from 'node:path';

/** Interpreters by file extension, as PM2 infers them (with `.ts` on Node rather than bun). */
export const INTERPRETER_BY_EXT: Readonly<Record<string, string>> = {
  '.js': 'node',
  '.cjs': 'node',
  '.mjs': 'node',
  '.ts': 'node',
  '.mts': 'node',
  '.cts': 'node',
  '.tsx': 'node',
  '.py': 'python3',
  '.sh': 'bash',
  '.bash': 'bash',
  '.rb': 'ruby',
  '.php': 'php',
  '.pl': 'perl',
  '.coffee': 'coffee',
  '.ls': 'lsc',
  '.lua': 'lua',
};

export const TYPESCRIPT_EXTS = new Set(['.ts', '.mts', '.cts', '.tsx']);

/**
 * Picks the interpreter for a script. `head` is the first bytes of the file when it exists: a file
 * with a shebang or binary content and no known extension runs by itself (`none`), as an
 * executable would from a shell; any other file falls back to node, as in PM2.
 */
export function inferInterpreter(script: string, head: Buffer | undefined): string {
  const byExt = INTERPRETER_BY_EXT[extname(script).toLowerCase()];
  if (byExt) return byExt;
  if (head === undefined) return 'none';
  if (head.subarray(0, 2).toString('latin1') === '#!') return 'none';
  if (head.includes(0)) return 'none';
  const elf = head.subarray(0, 4).toString('latin1') === '\x7fELF';
  return elf ? 'none' : 'node';
}

/** True for the interpreters that run JavaScript with Node (so `node_args` apply and IPC is given). */
export function isNodeInterpreter(interpreter: string): boolean {
  return interpreter === 'node' || /(^|\/)node(js)?$/.test(interpreter);
}

/**
 * Node flags needed to run a TypeScript file: native type stripping where this Node has it on by
 * default (22.18+, 23.6+), else the tsx loader that Steward ships.
 */
export function typescriptNodeArgs(nodeVersion: string, tsxLoaderUrl: string): string[] {
  const [major = 0, minor = 0] = nodeVersion.replace(/^v/, '').split('.').map(Number);
  const native = major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
  return native ? [] : ['--import', tsxLoaderUrl];
}
