import pc from 'picocolors';
import { StewardError } from '../../common/errors.js';
import type { LogLine } from '../../api/types.js';
import type { LogInfo } from '../../protocol/methods.js';
import { resolveTarget } from '../../daemon/table/targets.js';
import type { CliContext } from '../context.js';
import { mergeTails, tailLines } from '../logs/tail.js';

export interface LogsOptions {
  lines?: string;
  err?: boolean;
  out?: boolean;
  raw?: boolean;
  json?: boolean;
  timestamp?: string | boolean;
  nostream?: boolean;
}

interface Source extends Who {
  path: string;
}

/** Output is written once per batch of lines (one system call), not once per line. */
let pending: string[] | null = null;
function emit(text: string): void {
  if (pending) pending.push(text);
  else process.stdout.write(text);
}
function batch(fn: () => void): void {
  pending = [];
  try {
    fn();
  } finally {
    const text = pending.join('');
    pending = null;
    if (text) process.stdout.write(text);
  }
}

/** Whose line it is; the printer keeps the coloured `id|name | ` tag on it, made once. */
interface Who {
  type: 'out' | 'err';
  pm_id: number;
  name: string;
  tag?: string;
}

type Printer = (text: string, at: number, who: Who) => void;

/**
 * Prints complete lines given as one string (`a\nb\nc`, no final newline) with one string
 * operation instead of one call per line, when no line needs its own time or JSON: a follower of
 * an app writing flat out keeps up (the daemon skips chunks for followers that fall behind).
 */
type BlockPrinter = (body: string, who: Who) => void;

function tagOf(who: Who): string {
  return (who.tag ??= `${(who.type === 'err' ? pc.red : pc.green)(`${who.pm_id}|${who.name}`)} | `);
}

function makeBlockPrinter(opts: LogsOptions): BlockPrinter | undefined {
  if (opts.json || (opts.timestamp !== undefined && opts.timestamp !== false)) return undefined;
  if (opts.raw) return (body) => emit(`${body}\n`);
  return (body, who) => {
    const tag = tagOf(who);
    emit(`${tag}${body.replaceAll('\n', `\n${tag}`)}\n`);
  };
}

async function makePrinter(opts: LogsOptions): Promise<Printer> {
  let stamp: ((at: number) => string) | undefined;
  if (opts.timestamp !== undefined && opts.timestamp !== false) {
    const fmt = typeof opts.timestamp === 'string' ? opts.timestamp : 'YYYY-MM-DDTHH:mm:ss';
    const { TimeFormatter, isValidDateFormat } = await import('../../common/timefmt.js');
    if (!isValidDateFormat(fmt)) {
      throw new StewardError('E_BAD_OPTION', `--timestamp: "${fmt}" has no date or time token`, {
        hint: 'use a dayjs format such as "YYYY-MM-DD HH:mm:ss"',
      });
    }
    const tf = new TimeFormatter(fmt);
    stamp = (at) => (at > 0 ? tf.format(at) : '?');
  }
  if (opts.json) {
    return (text, at, who) => {
      const obj = {
        message: text,
        timestamp: at > 0 ? new Date(at).toISOString() : null,
        type: who.type,
        process_id: who.pm_id,
        app_name: who.name,
      };
      emit(JSON.stringify(obj) + '\n');
    };
  }
  if (opts.raw) return (text, at) => emit(stamp ? `${stamp(at)} ${text}\n` : `${text}\n`);
  return (text, at, who) => {
    const tag = tagOf(who);
    emit(stamp ? `${tag}${stamp(at)} ${text}\n` : `${tag}${text}\n`);
  };
}

function sourcesOf(infos: LogInfo[], opts: LogsOptions): Source[] {
  const seen = new Set<string>();
  const out: Source[] = [];
  const add = (path: string | null, type: 'out' | 'err', i: LogInfo) => {
    if (!path || seen.has(path)) return;
    seen.add(path);
    out.push({ path, type, pm_id: i.pm_id, name: i.name });
  };
  for (const i of infos) {
    if (!opts.err) add(i.out, 'out', i);
    if (!opts.out) add(i.err, 'err', i);
    if (!i.out && !i.err) add(i.combined, 'out', i);
  }
  return out;
}

/** `steward logs [target]`: the last lines of the matching apps in time order, then live output. */
export async function logs(ctx: CliContext, target: string | undefined, opts: LogsOptions): Promise<void> {
  const n = opts.lines === undefined ? 15 : Number(opts.lines);
  if (!Number.isInteger(n) || n < 0) {
    throw new StewardError(
      'E_BAD_OPTION',
      `--lines: expected a whole number ≥ 0, got ${JSON.stringify(opts.lines)}`,
      {
        hint: '--lines 0 streams only',
      },
    );
  }
  if (opts.err && opts.out)
    throw new StewardError('E_BAD_OPTION', '--err and --out exclude each other', {
      hint: 'give one of them, or neither for both',
    });
  const c = await ctx.connect();
  const cwd = process.cwd();
  const infos = await c.call('logInfo', target === undefined ? { cwd } : { targets: [target], cwd });
  const print = await makePrinter(opts);

  if (n > 0) {
    const sources = sourcesOf(infos, opts);
    // A remote daemon's files are on its host: it reads their tails for us.
    const tails = c.remote
      ? await c.call('logTail', { files: sources.map((s) => s.path), lines: n })
      : sources.map((s) => tailLines(s.path, n));
    const merged = mergeTails(tails, n);
    if (!opts.raw && !opts.json && sources.length > 0) {
      process.stdout.write(
        pc.gray(`[steward] last ${n} lines of ${sources.map((s) => s.path).join(', ')}\n`),
      );
    }
    batch(() => {
      for (const l of merged) {
        const s = sources[l.source];
        if (s) print(l.text, l.at, s);
      }
    });
  }
  if (opts.nostream) return;

  // Follow: the daemon sends raw chunks; lines are reassembled per process and stream.
  const matches = (m: { pm_id: number; name: string; namespace: string }) =>
    target === undefined || resolveTarget(target, [{ ...m, pm_exec_path: '' }], cwd).length > 0;
  // Per process and stream: the unfinished last line, who it is, and whether the target matches.
  const partial = new Map<string, { rest: string; who: Who; match: boolean }>();
  const block = makeBlockPrinter(opts);
  c.onNotification((method, params) => {
    if (method === 'missed') {
      process.stderr.write(
        `[steward] ${(params as { count: number }).count} output chunks skipped (this terminal reads slower than the apps write)\n`,
      );
      return;
    }
    if (method !== 'log') return;
    const m = params as LogLine;
    if ((opts.err && m.type !== 'err') || (opts.out && m.type !== 'out')) return;
    const key = `${m.pm_id}:${m.type}`;
    let p = partial.get(key);
    if (!p || p.who.name !== m.name) {
      const who = { type: m.type, pm_id: m.pm_id, name: m.name };
      p = { rest: p?.rest ?? '', who, match: matches(m) };
      partial.set(key, p);
    }
    if (!p.match) return;
    const text = p.rest + m.data;
    const cut = text.lastIndexOf('\n');
    if (cut < 0) {
      p.rest = text;
      return;
    }
    p.rest = text.slice(cut + 1);
    const body = text.slice(0, cut);
    const who = p.who;
    if (block) {
      block(body, who);
      return;
    }
    batch(() => {
      for (const line of body.split('\n')) print(line, m.at, who);
    });
  });
  await c.call('subscribe', { topics: ['logs'], frames: true });
  if (!opts.raw && !opts.json) process.stdout.write(pc.gray('[steward] following (Ctrl-C to stop)\n'));
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
    void c.waitClosed().then(() => resolve());
  });
}

export async function flush(ctx: CliContext, target: string | undefined): Promise<void> {
  const c = await ctx.connect();
  const cwd = process.cwd();
  const res = await c.call('flush', target === undefined ? { cwd } : { targets: [target], cwd });
  ctx.info(`flushed ${res.files.length} file${res.files.length === 1 ? '' : 's'}`);
}

export async function reloadLogs(ctx: CliContext): Promise<void> {
  const c = await ctx.connect();
  await c.call('reloadLogs', {});
  ctx.info('reopened every log file');
}

export async function set(
  ctx: CliContext,
  key: string | undefined,
  value: string | undefined,
): Promise<void> {
  if (key !== undefined && (await import('./pm2-only.js')).logrotateSetting(ctx, key)) return;
  const c = await ctx.connect();
  if (key === undefined) {
    const s = await c.call('getSettings', {});
    for (const [k, v] of Object.entries(s)) ctx.out(`${k}: ${JSON.stringify(v)}`);
    return;
  }
  if (value === undefined)
    throw new StewardError('E_USAGE', `set ${key} needs a value`, {
      hint: `e.g. \`steward set ${key} 10M\``,
    });
  const s = await c.call('setSetting', { key, value });
  ctx.out(JSON.stringify(s, null, 2));
}

export async function get(ctx: CliContext, key: string | undefined): Promise<void> {
  const c = await ctx.connect();
  const s = await c.call('getSettings', {});
  if (key === undefined) {
    for (const [k, v] of Object.entries(s)) ctx.out(`${k}: ${JSON.stringify(v)}`);
    return;
  }
  if (key.startsWith('notify.')) {
    // Masked by the daemon; an unset key is null, an unknown one an error.
    const { notifyKey } = await import('../../daemon/notify/settings.js');
    ctx.out(JSON.stringify(s[`notify.${notifyKey(key)}`] ?? null));
    return;
  }
  const { settingKey } = await import('../../daemon/state/settings.js');
  ctx.out(JSON.stringify(s[settingKey(key)]));
}

export async function unset(ctx: CliContext, key: string): Promise<void> {
  const c = await ctx.connect();
  const s = await c.call('setSetting', { key, value: null });
  ctx.out(JSON.stringify(s, null, 2));
}
