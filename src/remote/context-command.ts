import { StewardError } from '../common/errors.js';
import { resolveHome } from '../common/paths.js';
import type { CliContext } from '../cli/context.js';
import { renderTable } from '../cli/output/format.js';
import { parseSshTarget } from '../ssh/target.js';
import {
  contextsPath,
  getContext,
  LOCAL_CONTEXT,
  readContexts,
  writeContexts,
  type Context,
} from './contexts.js';

export interface ContextAddOptions {
  sshConfig?: string;
  identity?: string;
  sshOption?: string[];
  bin?: string;
  remoteHome?: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** `steward context add|ls|use|rm`: named remote hosts, kept in STEWARD_HOME/contexts.json (0600). */
export async function context(
  ctx: CliContext,
  action: string,
  args: string[],
  opts: ContextAddOptions,
): Promise<void> {
  const home = resolveHome(process.env);
  switch (action) {
    case 'add':
      return add(ctx, home, args, opts);
    case 'ls':
    case 'list':
      return list(ctx, home);
    case 'use':
      return use(ctx, home, args);
    case 'rm':
    case 'remove':
      return remove(ctx, home, args);
    default:
      throw new StewardError('E_USAGE', `unknown context action "${action}"`, {
        hint: 'use add, ls, use or rm (e.g. `steward context add prod ssh://deploy@web1`)',
      });
  }
}

function add(ctx: CliContext, home: string, args: string[], opts: ContextAddOptions): Promise<void> {
  const [name, host, ...extra] = args;
  if (name === undefined || host === undefined || extra.length > 0)
    throw new StewardError('E_USAGE', 'context add takes a name and a host', {
      hint: 'e.g. `steward context add prod ssh://deploy@web1:22`',
    });
  if (!NAME.test(name) || name === LOCAL_CONTEXT)
    throw new StewardError('E_USAGE', `bad context name "${name}"`, {
      hint: `letters, digits, _ . - (up to 64); "${LOCAL_CONTEXT}" means the local daemon`,
    });
  parseSshTarget(host);
  const file = readContexts(home);
  if (file.contexts[name])
    throw new StewardError('E_USAGE', `context "${name}" exists (${file.contexts[name].host})`, {
      hint: `remove it first: \`steward context rm ${name}\``,
    });
  const c: Context = { host };
  if (opts.sshConfig) c.sshConfig = opts.sshConfig;
  if (opts.identity) c.identity = opts.identity;
  if (opts.sshOption && opts.sshOption.length > 0) c.sshOptions = opts.sshOption;
  if (opts.bin) c.bin = opts.bin;
  if (opts.remoteHome) c.home = opts.remoteHome;
  file.contexts[name] = c;
  writeContexts(home, file);
  ctx.info(
    `added context ${name} (${host}); use it with --context ${name}, or \`steward context use ${name}\``,
  );
  return Promise.resolve();
}

function list(ctx: CliContext, home: string): Promise<void> {
  const file = readContexts(home);
  const current = file.current ?? LOCAL_CONTEXT;
  const mark = (n: string) => (n === current ? '*' : '');
  const rows = [[mark(LOCAL_CONTEXT), LOCAL_CONTEXT, `local daemon (${home})`, '']];
  for (const [name, c] of Object.entries(file.contexts)) {
    const how = [
      c.sshConfig ? `-F ${c.sshConfig}` : '',
      c.identity ? `-i ${c.identity}` : '',
      ...(c.sshOptions ?? []).map((o) => `-o ${o}`),
      c.bin ? `bin ${c.bin}` : '',
      c.home ? `home ${c.home}` : '',
    ].filter((s) => s !== '');
    rows.push([mark(name), name, c.host, how.join(' ')]);
  }
  ctx.out(renderTable(['', 'name', 'host', 'ssh'], rows));
  return Promise.resolve();
}

function use(ctx: CliContext, home: string, args: string[]): Promise<void> {
  const [name] = args;
  if (name === undefined || args.length > 1)
    throw new StewardError('E_USAGE', 'context use takes one name', {
      hint: `e.g. \`steward context use prod\`; \`steward context use ${LOCAL_CONTEXT}\` for the local daemon`,
    });
  const file = readContexts(home);
  if (name === LOCAL_CONTEXT) delete file.current;
  else {
    getContext(file, name);
    file.current = name;
  }
  writeContexts(home, file);
  ctx.info(
    name === LOCAL_CONTEXT
      ? 'commands go to the local daemon'
      : `commands go to ${name} (${file.contexts[name]?.host ?? ''}) until \`steward context use ${LOCAL_CONTEXT}\``,
  );
  return Promise.resolve();
}

function remove(ctx: CliContext, home: string, args: string[]): Promise<void> {
  if (args.length === 0)
    throw new StewardError('E_USAGE', 'context rm takes one or more names', {
      hint: 'e.g. `steward context rm prod`',
    });
  const file = readContexts(home);
  for (const name of args) getContext(file, name);
  for (const name of args) {
    delete file.contexts[name];
    if (file.current === name) {
      delete file.current;
      ctx.info(`${name} was the current context: commands go to the local daemon again`);
    }
  }
  writeContexts(home, file);
  ctx.info(`removed ${args.join(', ')} from ${contextsPath(home)}`);
  return Promise.resolve();
}
