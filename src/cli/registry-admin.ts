import type { CommandDef, OptionDef } from './registry.js';

const daemon = () => import('./commands/daemon.js');
const startupCmd = () => import('./commands/startup.js');
const serveCmd = () => import('./commands/serve.js');
const completionCmd = () => import('./commands/completion.js');
const pm2Only = () => import('./commands/pm2-only.js');
const exportCmd = () => import('./commands/export.js');
const notifyCmd = () => import('./commands/notify.js');
const deployCmd = () => import('./commands/deploy.js');
const webCmd = () => import('./commands/web.js');

/** PM2 Plus commands: one line saying what replaces them, exit 0. */
const PLUS_COMMANDS: CommandDef[] = (
  [
    ['link', '[args...]'],
    ['unlink', undefined],
    ['plus', '[args...]', ['register']],
    ['login', undefined],
    ['logout', undefined],
    ['open', undefined],
    ['monitor', '[target]'],
    ['unmonitor', '[target]'],
  ] as Array<[string, string | undefined, string[]?]>
).map(([name, args, aliases]) => ({
  name,
  ...(args ? { args } : {}),
  ...(aliases ? { aliases } : {}),
  summary: 'PM2 Plus: says what replaces it in Steward (built-in metrics), exits 0',
  options: [
    { flags: '--info-node [url]', description: 'PM2 Plus on-premise URL (accepted)', hidden: true },
    { flags: '-d, --discrete', description: 'accepted', hidden: true },
    { flags: '-a, --install-all', description: 'accepted', hidden: true },
  ],
  run: async (ctx) => (await pm2Only()).plus(ctx, name),
}));

const STARTUP_OPTIONS: OptionDef[] = [
  { flags: '-u, --user <name>', description: 'the user the daemon runs as (default: you, or SUDO_USER)' },
  {
    flags: '--hp <home>',
    description: "that user's home directory (default: from the system's user database)",
  },
  {
    flags: '--service-name <name>',
    description: 'name of the service (default: steward-<user>; launchd: steward.<user>)',
  },
  { flags: '--wait-ip', description: 'start only once the network is online (systemd, openrc)' },
  { flags: '--print', description: 'print the service file and change nothing' },
];

/** The daemon, the dump, boot, serve, completion, and PM2-only commands (part of COMMANDS). */
export const ADMIN_COMMANDS: CommandDef[] = [
  {
    name: 'notify',
    args: '<action> [channel]',
    summary:
      'notifications: `test [channel]` sends a test message and prints the answer, `send` reports an event (a deploy rolled back), `status` shows each channel',
    options: [
      {
        flags: '--event <kind>',
        description: 'send: deploy_rolled_back, reload_rolled_back, errored, exit, …',
      },
      { flags: '--app <name>', description: 'send: the app it is about' },
      { flags: '--reason <text>', description: 'send: what happened' },
      { flags: '--id <pm_id>', description: 'send: the instance' },
      { flags: '--exit-code <n>', description: 'send: the exit code' },
      { flags: '--json', description: 'status: as JSON' },
    ],
    run: async (ctx, args, opts) =>
      (await notifyCmd()).notify(ctx, args[0] as string, args[1] as string | undefined, opts),
  },
  {
    name: 'save',
    aliases: ['dump'],
    summary: 'save the process list (for resurrect)',
    options: [{ flags: '--force', description: 'save even an empty list' }],
    run: async (ctx, _args, opts) => (await daemon()).save(ctx, opts),
  },
  {
    name: 'resurrect',
    summary: 'start the saved processes',
    run: async (ctx) => (await daemon()).resurrect(ctx),
  },
  {
    name: 'cleardump',
    summary: 'empty the saved process list',
    run: async (ctx) => (await daemon()).cleardump(ctx),
  },
  {
    name: 'ping',
    summary: 'start the daemon if needed and check it answers',
    run: async (ctx) => (await daemon()).ping(ctx),
  },
  {
    name: 'update',
    summary:
      'replace the running daemon with the installed version, keeping ids, names, options and counters',
    run: async (ctx) => (await daemon()).update(ctx),
  },
  {
    name: 'kill',
    summary: 'stop every app, then the daemon',
    run: async (ctx) => (await daemon()).kill(ctx),
  },
  {
    name: 'startup',
    args: '[platform]',
    summary:
      'install a boot service (systemd, openrc, launchd; detected when not given) that runs the daemon and resurrects the saved list; when not root, print the sudo command to run',
    options: STARTUP_OPTIONS,
    run: async (ctx, args, opts) => (await startupCmd()).startup(ctx, args[0] as string | undefined, opts),
  },
  {
    name: 'export',
    args: '<target> [file]',
    summary:
      'translate an ecosystem file for a fleet engine: kubernetes (Deployments, Services, Secrets, CronJobs as YAML), nomad (jobs as JSON), systemd (units and timers); printed, or written with -o (docs/scaling-out.md)',
    options: [
      { flags: '--env <name>', description: 'apply env_<name> of the file' },
      { flags: '--only <apps>', description: 'only these apps (comma-separated)' },
      { flags: '-o, --output <dir>', description: 'write one file per object or unit into this directory' },
      { flags: '--image <ref>', description: 'container image (kubernetes; nomad: the docker driver)' },
      {
        flags: '--runtime',
        description: "kubernetes: run steward-runtime in the pod (keeps Steward's cluster mode and logs)",
      },
      { flags: '--user', description: 'systemd: user units (systemctl --user)' },
      { flags: '--driver <name>', description: 'nomad: raw_exec (default) or exec; --image gives docker' },
      { flags: '--max-instances <n>', description: 'what instances "max" becomes on the target (default 1)' },
    ],
    run: async (ctx, args, opts) =>
      (await exportCmd()).exportApps(ctx, args[0] as string, args[1] as string | undefined, opts),
  },
  {
    name: 'deploy',
    args: '<args...>',
    summary:
      'deploy from git to the hosts of deploy.<env> over ssh: [file] <env> [setup|update|revert [n]|curr|prev|list|exec "<cmd>"|<ref>]; releases, health-checked switch with automatic rollback (docs/deploy.md)',
    options: [
      { flags: '--parallel <n>', description: 'hosts deployed at a time (default: all)' },
      { flags: '--canary', description: 'deploy one host first, health-checked, then the rest' },
      {
        flags: '--health-window <duration>',
        description:
          "how long every app must stay online after the switch (default: the section's health_window, 5s)",
      },
      {
        flags: '--force',
        description: 'accepted (PM2)',
        hidden: true,
        ignored: 'Steward deploys a git ref, not local changes',
      },
    ],
    run: async (ctx, args, opts) => (await deployCmd()).deploy(ctx, args[0] as string[], opts),
  },
  {
    name: 'unstartup',
    args: '[platform]',
    summary: 'disable and remove the boot service (a running daemon keeps running)',
    options: STARTUP_OPTIONS.filter((o) => o.flags !== '--print' && o.flags !== '--wait-ip'),
    run: async (ctx, args, opts) => (await startupCmd()).unstartup(ctx, args[0] as string | undefined, opts),
  },
  {
    name: 'serve',
    aliases: ['expose'],
    args: '[path] [port]',
    summary:
      'serve a directory over HTTP as a managed app named static-page-server-<port> (default: . on port 8080, bound to 127.0.0.1)',
    options: [
      {
        flags: '--port <port>',
        description: 'port (the [port] argument wins; default 8080 or PM2_SERVE_PORT)',
      },
      {
        flags: '--host <address>',
        description: 'address to bind (default 127.0.0.1; 0.0.0.0 for every interface)',
      },
      { flags: '--spa', description: 'single-page app: unknown page paths get the homepage' },
      { flags: '--homepage <path>', description: 'the page served for / (default /index.html)' },
      { flags: '--basic-auth-username <user>', description: 'require HTTP basic auth with this user name' },
      { flags: '--basic-auth-password <password>', description: 'and this password' },
      { flags: '-n, --name <name>', description: 'app name (default: static-page-server-<port>)' },
    ],
    run: async (ctx, args, opts) =>
      (await serveCmd()).serve(ctx, args[0] as string | undefined, args[1] as string | undefined, opts),
  },
  {
    name: 'web',
    summary:
      'the web dashboard and JSON API on 127.0.0.1:9615, run and kept up by the daemon (back after a reboot, `update` or a daemon crash); prints the URL with its token (docs/dashboard.md)',
    options: [
      { flags: '--port <port>', description: 'port (default 9615; 0 picks a free one)' },
      {
        flags: '--host <address>',
        description: 'address to bind (default 127.0.0.1); any other needs --tls-cert/--tls-key',
      },
      { flags: '--tls-cert <file>', description: 'serve HTTPS with this certificate (PEM)' },
      { flags: '--tls-key <file>', description: 'and this private key (PEM)' },
      {
        flags: '--insecure-no-tls',
        description: 'allow plain HTTP on a non-loopback address (a TLS proxy in front)',
      },
      { flags: '--stop', description: 'stop the dashboard (and do not bring it back)' },
      { flags: '--status', description: 'print whether it runs, and its URLs' },
    ],
    run: async (ctx, _args, opts) => (await webCmd()).web(ctx, opts),
  },
  {
    name: 'install',
    aliases: ['module:install'],
    args: '<modules...>',
    summary: 'pm2-logrotate: built in, says so and exits 0; Steward has no other PM2 modules',
    options: ['--tarball', '--install', '--docker', '--v1', '--safe [time]'].map((flags) => ({
      flags,
      description: 'accepted',
      hidden: true,
    })),
    run: async (ctx, args) => (await pm2Only()).install(ctx, args[0] as string[], 'install'),
  },
  {
    name: 'uninstall',
    aliases: ['module:uninstall'],
    args: '<modules...>',
    summary: 'pm2-logrotate: built in, nothing to remove',
    run: async (ctx, args) => (await pm2Only()).install(ctx, args[0] as string[], 'uninstall'),
  },
  ...PLUS_COMMANDS,
  {
    name: 'completion',
    args: '[shell]',
    summary:
      'print the completion script for bash or zsh (`source <(steward completion bash)`); `install` prints the line to add to your shell rc file',
    options: [
      {
        flags: '--apps',
        description: 'print the names of the managed apps (used by the scripts; never starts the daemon)',
      },
    ],
    run: async (ctx, args, opts) =>
      (await completionCmd()).completion(ctx, args[0] as string | undefined, opts),
  },
];
