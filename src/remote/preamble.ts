/**
 * The first line `steward dial-stdio` writes, before the daemon's bytes: who answers and whether the
 * daemon could be reached. The client skips anything a login profile printed before it (a "welcome"
 * line would otherwise corrupt the JSON-RPC stream) and checks the protocol before sending a request.
 */
export const PREAMBLE_KEY = 'steward_dial';

export type Preamble =
  | {
      steward_dial: 1;
      ok: true;
      version: string;
      protocol: number;
      home: string;
      cwd: string;
      started: boolean;
    }
  | { steward_dial: 1; ok: false; code: string; error: string; hint?: string | undefined };

/** The preamble in this line, or undefined when the line is something else (profile noise). */
export function parsePreamble(line: string): Preamble | undefined {
  if (!line.includes(PREAMBLE_KEY)) return undefined;
  try {
    const v = JSON.parse(line) as unknown;
    if (typeof v === 'object' && v !== null && (v as Record<string, unknown>)[PREAMBLE_KEY] === 1)
      return v as Preamble;
  } catch {
    // not ours
  }
  return undefined;
}
