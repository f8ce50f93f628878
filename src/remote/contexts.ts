import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../common/atomic-write.js';
import { StewardError } from '../common/errors.js';
import type { RemoteOptions } from './types.js';

/**
 * Named remote hosts (`steward context add prod ssh://deploy@web1`), kept in STEWARD_HOME/contexts.json
 * (0600, in the 0700 home): the client's own config, beside the local daemon's state, so that one
 * variable (STEWARD_HOME) isolates everything Steward keeps for a user — and every test.
 */
export interface Context extends RemoteOptions {
  host: string;
}

export interface ContextFile {
  format: 1;
  /** The context commands use when none is named (`context use`); undefined: the local daemon. */
  current?: string | undefined;
  contexts: Record<string, Context>;
}

/** The name that always means the local daemon (as Docker's `default`). */
export const LOCAL_CONTEXT = 'default';

export function contextsPath(home: string): string {
  return join(home, 'contexts.json');
}

export function readContexts(home: string): ContextFile {
  const path = contextsPath(home);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return { format: 1, contexts: {} };
  }
  try {
    const v = JSON.parse(text) as ContextFile;
    if (v.format !== 1 || typeof v.contexts !== 'object' || v.contexts === null) throw new Error('bad shape');
    return v;
  } catch (e) {
    throw new StewardError('E_CONFIG', `${path} is not a contexts file: ${(e as Error).message}`, {
      hint: `fix it or remove it (then \`steward context add\` again)`,
    });
  }
}

export function writeContexts(home: string, file: ContextFile): void {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  writeFileAtomic(contextsPath(home), `${JSON.stringify(file, null, 2)}\n`);
}

/** A context by name, or a one-line error listing the known ones. */
export function getContext(file: ContextFile, name: string): Context {
  const c = file.contexts[name];
  if (!c) {
    const known = Object.keys(file.contexts);
    throw new StewardError('E_USAGE', `no context named "${name}"`, {
      hint: known.length
        ? `known: ${known.join(', ')} (\`steward context ls\`)`
        : 'add one with `steward context add <name> ssh://user@host`',
    });
  }
  return c;
}
