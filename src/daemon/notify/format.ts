import type { EventKind, NotifyMessage } from './types.js';

/**
 * How a message reads, shared by every channel: a one-line title and a short body naming host,
 * app, instance, event, reason, exit code or signal, and the last error lines. Nothing here comes
 * from the app's environment or the notifier's settings, so no secret can end up in a message.
 */
const WORDS: Record<EventKind, string> = {
  exit: 'exited unexpectedly',
  errored: 'errored (gave up restarting)',
  crash_loop: 'crash-loop guard tripped',
  memory_restart: 'restarted by its memory limit',
  health_failed: 'failed its health check',
  not_ready: 'was not ready in time',
  reload_rolled_back: 'reload rolled back',
  deploy_rolled_back: 'deploy rolled back',
  daemon_recovered: 'restarted after the daemon recovered',
  cpu_high: 'CPU above its threshold',
  memory_high: 'memory above its threshold',
  log_match: 'logged a matching line',
  test: 'test message',
};

const MAX_LINE = 300;

export function describeKind(kind: EventKind): string {
  return WORDS[kind];
}

function who(m: NotifyMessage): string {
  if (!m.app) return m.host;
  return `${m.app}${m.pm_id === null ? '' : ` (id ${m.pm_id})`} on ${m.host}`;
}

export function title(m: NotifyMessage): string {
  if (m.kind === 'daemon_recovered' && m.count > 1)
    return `${m.host}: ${m.count} more apps restarted after the daemon recovered (the last: ${m.app})`;
  const times = m.count > 1 ? ` (${m.count}× since ${new Date(m.first_at).toISOString()})` : '';
  return `${who(m)}: ${describeKind(m.kind)}${times}`;
}

export function exitText(m: NotifyMessage): string | undefined {
  if (m.signal) return `signal ${m.signal}`;
  if (m.exit_code !== undefined) return `code ${m.exit_code}`;
  return undefined;
}

/** The body as plain lines (e-mail, chat text). */
export function bodyLines(m: NotifyMessage): string[] {
  const lines = [
    `host: ${m.host}`,
    ...(m.app ? [`app: ${m.app}`] : []),
    ...(m.pm_id === null ? [] : [`instance: ${m.pm_id}`]),
    `event: ${m.kind}`,
    `reason: ${m.reason}`,
  ];
  const exit = exitText(m);
  if (exit) lines.push(`exit: ${exit}`);
  if (m.count > 1) lines.push(`count: ${m.count} since ${new Date(m.first_at).toISOString()}`);
  lines.push(`at: ${new Date(m.at).toISOString()}`);
  if (m.last_lines.length > 0) {
    lines.push('', 'last error lines:', ...m.last_lines.map(clip));
  }
  return lines;
}

export function clip(line: string): string {
  return line.length > MAX_LINE ? `${line.slice(0, MAX_LINE)}…` : line;
}

/** The generic webhook's JSON body (documented in docs/notifications.md; version 1). */
export function webhookPayload(m: NotifyMessage): Record<string, unknown> {
  return {
    version: 1,
    id: m.id,
    event: m.kind,
    host: m.host,
    app: m.app,
    pm_id: m.pm_id,
    reason: m.reason,
    exit_code: m.exit_code ?? null,
    signal: m.signal ?? null,
    count: m.count,
    first_at: new Date(m.first_at).toISOString(),
    at: new Date(m.at).toISOString(),
    last_lines: m.last_lines.map(clip),
    text: title(m),
  };
}

/** Chat text (Slack, Discord, Teams): the title, then the body in a code block, within `max`. */
export function chatText(m: NotifyMessage, max: number): string {
  const body = bodyLines(m).join('\n').replaceAll('```', "'''");
  const text = `${title(m)}\n\`\`\`\n${body}\n\`\`\``;
  if (text.length <= max) return text;
  return `${text.slice(0, max - 8)}…\n\`\`\``;
}
