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

/** Does this Node run TypeScript by itself (type stripping on by default: 22.18+, 23.6+)? */
export function stripsTypes(nodeVersion: string): boolean {
  const [major = 0, minor = 0] = nodeVersion.replace(/^v/, '').split('.').map(Number);
  return major > 23 || (major === 23 && minor >= 6) || (major === 22 && minor >= 18);
}

/** Why a TypeScript app cannot start on an older Node when tsx is not installed, and the fix. */
export const TSX_MISSING =
  'this Node cannot run TypeScript by itself and tsx is not installed: `npm install -g tsx` (next to steward), or use Node 22.18+';

/**
 * Node flags needed to run a TypeScript file: none where this Node strips types, else the tsx
 * loader (tsx is an optional peer dependency: installed by the user, found next to Steward).
 */
export function typescriptNodeArgs(nodeVersion: string, tsxLoaderUrl: string): string[] {
  return stripsTypes(nodeVersion) ? [] : ['--import', tsxLoaderUrl];
}
