import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { userInfo } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { DAEMON_NODE_FLAGS } from '../../client/start-daemon.js';
import { StewardError } from '../../common/errors.js';
import { packagePath, stewardVersion } from '../../common/version.js';
import { which } from '../../config/resolve-script.js';
import { lookupUser } from '../../config/users.js';
import { resolvePlatform, type Platform } from '../../startup/platforms.js';
import {
  defaultDir,
  defaultServiceName,
  needsRoot,
  renderService,
  shWord,
  type ServiceFile,
  type ServiceSpec,
} from '../../startup/templates.js';
import type { CliContext } from '../context.js';

/**
 * `steward startup` / `unstartup`: the boot service of the daemon (docs/startup.md).
 *
 * STEWARD_STARTUP_DIR writes the service file into another directory and runs no init-system
 * command (it prints them): for tests, and for building packages or images.
 */
export interface StartupOptions {
  user?: string;
  hp?: string;
  serviceName?: string;
  waitIp?: boolean;
  print?: boolean;
}

const isRoot = () => process.getuid?.() === 0;

function buildSpec(platform: Platform, opts: StartupOptions, env: NodeJS.ProcessEnv): ServiceSpec {
  const user = opts.user ?? (isRoot() ? env.SUDO_USER : undefined) ?? userInfo().username;
  const entry = lookupUser(user);
  if (!entry || (entry.home === '/' && /^\d+$/.test(user))) {
    throw new StewardError('E_BAD_OPTION', `--user: no such user ${JSON.stringify(user)}`, {
      hint: 'give a user name the system knows (`getent passwd <user>`)',
    });
  }
  const home = resolve(opts.hp ?? entry.home);
  const serviceName = opts.serviceName ?? defaultServiceName(platform, entry.name);
  if (!/^[A-Za-z0-9@._-]+$/.test(serviceName)) {
    throw new StewardError(
      'E_BAD_OPTION',
      `--service-name: ${JSON.stringify(serviceName)} is not a valid name`,
      {
        hint: 'use letters, digits and . _ - @ only',
      },
    );
  }
  const stewardHome = env.STEWARD_HOME?.trim() ? resolve(env.STEWARD_HOME) : join(home, '.steward');
  // The node that runs this CLI comes first: an nvm install is not on the PATH of a boot service.
  const pathDirs = [
    dirname(process.execPath),
    ...(env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter),
  ];
  return {
    platform,
    serviceName,
    user: entry.name,
    home,
    stewardHome,
    nodePath: process.execPath,
    nodeFlags: DAEMON_NODE_FLAGS,
    entry: packagePath('dist/src/startup/service.js'),
    path: [...new Set(pathDirs.filter(Boolean))].join(delimiter),
    waitIp: opts.waitIp === true,
    version: stewardVersion(),
  };
}

/** A word for a shell command line, quoted only when it has to be. */
function shArg(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : shWord(s);
}

/** The one command a non-root user must run (PM2 prints the same line). */
function sudoLine(verb: string, spec: ServiceSpec, opts: StartupOptions, env: NodeJS.ProcessEnv): string {
  const words = ['sudo', 'env', `PATH=${spec.path}`];
  if (env.STEWARD_HOME?.trim()) words.push(`STEWARD_HOME=${spec.stewardHome}`);
  const bin = process.argv[1] ? resolve(process.argv[1]) : 'steward';
  words.push(bin, verb, spec.platform, '-u', spec.user, '--hp', spec.home);
  if (opts.serviceName !== undefined) words.push('--service-name', spec.serviceName);
  if (opts.waitIp) words.push('--wait-ip');
  return words.map(shArg).join(' ');
}

function prepare(platformArg: string | undefined, opts: StartupOptions) {
  const env = process.env;
  const platform = resolvePlatform(platformArg, (cmd) => which(cmd, env.PATH) !== undefined);
  const spec = buildSpec(platform, opts, env);
  const staging = env.STEWARD_STARTUP_DIR?.trim() ? resolve(env.STEWARD_STARTUP_DIR) : undefined;
  const file = renderService(spec, staging ?? defaultDir(platform, spec.home));
  const mustSudo = !staging && needsRoot(platform) && !isRoot();
  return { env, platform, spec, staging, file, mustSudo };
}

/** Runs init-system commands; in staging mode only prints them. */
function runCommands(ctx: CliContext, cmds: string[][], staging: boolean, strict: boolean): void {
  if (cmds.length === 0) return;
  if (staging) {
    ctx.info(`then run: ${cmds.map((c) => c.map(shArg).join(' ')).join(' && ')}`);
    return;
  }
  for (const [cmd = '', ...args] of cmds) {
    const line = [cmd, ...args].map(shArg).join(' ');
    ctx.info(`running ${line}`);
    const res = spawnSync(cmd, args, { stdio: ['ignore', 'inherit', 'inherit'] });
    if (res.status === 0) continue;
    const why = res.error ? res.error.message : `exit code ${res.status ?? res.signal}`;
    if (!strict) {
      ctx.warn(`\`${line}\` failed (${why})`);
      continue;
    }
    throw new StewardError('E_STARTUP', `\`${line}\` failed (${why})`, {
      hint: 'the service file is written; fix the cause and run that command again',
    });
  }
}

export function startup(ctx: CliContext, platformArg: string | undefined, opts: StartupOptions): void {
  const { env, platform, spec, staging, file, mustSudo } = prepare(platformArg, opts);
  if (opts.print) {
    ctx.out(file.content);
    return;
  }
  if (mustSudo) {
    ctx.info(`init system: ${platform}. To install the boot service, run this command as root:`);
    ctx.out(sudoLine('startup', spec, opts, env));
    process.exitCode = 1;
    return;
  }
  writeServiceFile(file);
  ctx.info(`wrote ${file.path}`);
  runCommands(ctx, file.enable, staging !== undefined, true);
  ctx.info(
    `the daemon of ${spec.user} (STEWARD_HOME ${spec.stewardHome}) will start at boot and resurrect its saved list`,
  );
  ctx.info('save the apps to bring back with `steward save` (as that user), whenever the list changes');
  if (platform === 'systemd' && !staging) {
    ctx.info(
      `to hand a running daemon over to systemd now: \`steward save && steward kill\`, then \`systemctl start ${spec.serviceName}\``,
    );
  }
}

function writeServiceFile(file: ServiceFile): void {
  try {
    mkdirSync(dirname(file.path), { recursive: true });
    writeFileSync(file.path, file.content, { mode: file.mode });
    chmodSync(file.path, file.mode);
  } catch (e) {
    throw new StewardError('E_STARTUP', `cannot write ${file.path}: ${(e as Error).message}`, {
      hint: 'run the command as root (see `steward startup` without sudo for the exact line)',
      cause: e,
    });
  }
}

export function unstartup(ctx: CliContext, platformArg: string | undefined, opts: StartupOptions): void {
  const { env, platform, spec, staging, file, mustSudo } = prepare(platformArg, opts);
  if (mustSudo) {
    ctx.info(`init system: ${platform}. To remove the boot service, run this command as root:`);
    ctx.out(sudoLine('unstartup', spec, opts, env));
    process.exitCode = 1;
    return;
  }
  if (!existsSync(file.path)) {
    ctx.info(`no boot service at ${file.path}: nothing to remove`);
    return;
  }
  runCommands(ctx, file.disable, staging !== undefined, false);
  rmSync(file.path, { force: true });
  ctx.info(`removed ${file.path}`);
  runCommands(ctx, file.afterRemove, staging !== undefined, false);
  // Removing the boot service does not stop a running daemon: production apps keep running.
  if (platform === 'systemd' && !staging) {
    ctx.info(`a running service keeps running until stopped: \`systemctl stop ${spec.serviceName}\``);
  }
}
