import type { CommandDef } from './registry.js';

const contextCmd = () => import('../remote/context-command.js');

/** Remote control: named hosts and the bridge ssh runs on a remote host (docs/remote.md). */
export const REMOTE_COMMANDS: CommandDef[] = [
  {
    name: 'context',
    args: '<action> [args...]',
    summary:
      'named remote hosts: `context add <name> ssh://user@host[:port]`, `context ls`, `context use <name>` (`default`: the local daemon), `context rm <name>`; then `--context <name>` on any command',
    options: [
      { flags: '--ssh-config <file>', description: 'add: an ssh_config file for this host (ssh -F)' },
      { flags: '--identity <key>', description: 'add: a private key file (ssh -i)' },
      {
        flags: '--ssh-option <opt>',
        description: 'add: an ssh -o option, e.g. Port=2222 (repeatable)',
        repeat: true,
      },
      {
        flags: '--bin <path>',
        description: 'add: the remote steward (default: STEWARD_BIN there, else on its login PATH)',
      },
      {
        flags: '--remote-home <dir>',
        description: 'add: STEWARD_HOME on the remote host (default: its ~/.steward)',
      },
    ],
    run: async (ctx, args, opts) =>
      (await contextCmd()).context(ctx, args[0] as string, (args[1] as string[] | undefined) ?? [], opts),
  },
  {
    name: 'dial-stdio',
    summary:
      "bridge stdin/stdout to this host's daemon (starting it if needed): what `steward --host` runs on the remote host through ssh",
    run: async () => (await import('../remote/dial-stdio.js')).dialStdio(),
  },
];
