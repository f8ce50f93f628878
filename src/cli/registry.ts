import type { CliContext } from './context.js';
import { ADMIN_COMMANDS } from './registry-admin.js';
import { INFO_COMMANDS } from './registry-info.js';
import { LIFECYCLE_COMMANDS } from './registry-lifecycle.js';
import { REMOTE_COMMANDS } from './registry-remote.js';

/**
 * One registry of commands: it drives the parser, the help text and docs/cli.md. Handlers are
 * imported lazily so that `steward ls` loads only what listing needs.
 */
export interface OptionDef {
  flags: string;
  description: string;
  /** Default value shown in help. */
  default?: string | boolean;
  /** May be repeated, one value each time (collected into an array). */
  repeat?: boolean;
  /** Not in help or docs/cli.md (PM2 flags kept for scripts). */
  hidden?: boolean;
  /** Accepted without effect, for PM2 scripts: why (printed under --verbose). */
  ignored?: string;
}

export interface CommandDef {
  name: string;
  aliases?: string[];
  /** Commander argument syntax, e.g. `<targets...>`. */
  args?: string;
  summary: string;
  options?: OptionDef[];
  run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>, scriptArgs: string[]): Promise<void>;
}

/** Every command, in the order of help and docs/cli.md. */
export const COMMANDS: CommandDef[] = [
  ...LIFECYCLE_COMMANDS,
  ...INFO_COMMANDS,
  ...ADMIN_COMMANDS,
  ...REMOTE_COMMANDS,
];
