/**
 * The commands of the CLI's fast path (src/cli/fast.ts), as typed: PM2's names and aliases. bin/steward.js
 * repeats this list (so that the fast path loads one file) and takes the fast path only when one of
 * these is the whole command line, no remote host can be meant (STEWARD_HOST, STEWARD_CONTEXT, a
 * contexts file) and STEWARD_FAST is not 0; test/unit/cli/fast-commands.test.ts keeps
 * the two lists equal.
 */
export const FAST_COMMANDS: readonly string[] = ['ls', 'list', 'l', 'ps', 'status', 'jlist', 'ping'];
