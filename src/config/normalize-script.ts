import { isAbsolute, join } from 'node:path';
import { StewardError } from '../common/errors.js';
import { inferInterpreter } from './interpreter.js';
import type { NormalizeIo } from './normalize.js';

export interface ScriptPlace {
  cwd: string;
  /** Directory of the config file, when cwd was not given: a fallback base for the script. */
  fileDir: string | undefined;
  pathVar: string | undefined;
  where: string;
  io: NormalizeIo;
}

export interface ResolvedScript {
  pmExecPath: string;
  interpreter: string;
  args: string[];
  /** The script file's first bytes; undefined for a command on PATH or a command line. */
  head: Buffer | undefined;
  /** cwd, or the config file's directory when the script was found there. */
  cwd: string;
}

/** Finds what to run: a file (interpreter from its extension or shebang), a command line, or a command on PATH. */
export function resolveScript(
  script: string,
  givenArgs: string[],
  givenInterpreter: string | undefined,
  place: ScriptPlace,
): ResolvedScript {
  const { io } = place;
  let cwd = place.cwd;
  let args = givenArgs;
  let interpreter = givenInterpreter;
  let head = io.readHead(isAbsolute(script) ? script : join(cwd, script));
  if (head === undefined && place.fileDir && !isAbsolute(script)) {
    // PM2 resolves from where the CLI runs; when that fails, the config file's directory is the
    // only sensible base, so Steward uses it (and runs the app there) instead of failing.
    const alt = io.readHead(join(place.fileDir, script));
    if (alt !== undefined) {
      head = alt;
      cwd = place.fileDir;
    }
  }
  if (head !== undefined) {
    const pmExecPath = isAbsolute(script) ? script : join(cwd, script);
    return { pmExecPath, interpreter: interpreter ?? inferInterpreter(pmExecPath, head), args, head, cwd };
  }
  if (/\s/.test(script)) {
    // A command line: run it through bash, as PM2 does.
    args = ['-c', script, ...args];
    return {
      pmExecPath: io.which('bash', place.pathVar) ?? '/bin/bash',
      interpreter: 'none',
      args,
      head,
      cwd,
    };
  }
  const onPath = io.which(script, place.pathVar);
  if (!onPath) {
    throw new StewardError(
      'E_SCRIPT_NOT_FOUND',
      `${place.where ? `${place.where}: ` : ''}script not found: ${script} (not a file in ${cwd}, not a command on PATH)`,
      { hint: 'check the path, or set cwd to the directory it is in' },
    );
  }
  interpreter ??= 'none';
  return { pmExecPath: onPath, interpreter, args, head, cwd };
}
