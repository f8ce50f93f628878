/**
 * A cron expression (5 fields, or 6 with seconds first) as a systemd OnCalendar= expression, or
 * undefined when it uses a form OnCalendar cannot say (steps of ranges, `L`, `W`, `#`, `?`).
 */
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function field(f: string, first: number, pad: boolean): string | undefined {
  const out: string[] = [];
  for (const part of f.split(',')) {
    const m = /^(\*|\d+)(?:-(\d+))?(?:\/(\d+))?$/.exec(part);
    if (!m) return undefined;
    const [, start = '', end, step] = m;
    const p = (s: string) => (pad ? s.padStart(2, '0') : s);
    if (start === '*') out.push(step ? `${p(String(first))}/${step}` : '*');
    else if (end !== undefined) {
      if (step) return undefined;
      out.push(`${p(start)}..${p(end)}`);
    } else out.push(step ? `${p(start)}/${step}` : p(start));
  }
  return out.join(',');
}

function weekday(f: string): string | undefined {
  if (f === '*' || f === '?') return '';
  const out: string[] = [];
  const day = (s: string) => {
    const i = /^\d$/.test(s) ? Number(s) : DAY_NAMES.indexOf(s.toLowerCase());
    return i >= 0 && i <= 7 ? DAYS[i] : undefined;
  };
  for (const part of f.split(',')) {
    const m = /^(\w+)(?:-(\w+))?$/.exec(part);
    const a = m?.[1] ? day(m[1]) : undefined;
    if (!m || !a) return undefined;
    if (m[2] === undefined) out.push(a);
    else {
      const b = day(m[2]);
      if (!b) return undefined;
      out.push(`${a}..${b}`);
    }
  }
  return out.join(',');
}

export function cronToCalendar(expr: string): { calendar?: string; note?: string } {
  const f = expr.trim().split(/\s+/);
  const withSeconds = f.length === 6;
  const [sec = '0', min = '', hour = '', dom = '', mon = '', dow = ''] = withSeconds ? f : ['0', ...f];
  const parts = [
    field(sec, 0, true),
    field(min, 0, true),
    field(hour, 0, true),
    field(dom, 1, true),
    field(mon, 1, true),
  ];
  const wd = weekday(dow);
  if (parts.some((p) => p === undefined) || wd === undefined)
    return { note: `cron_restart: "${expr}" has no OnCalendar= equivalent; no timer was written` };
  const [s, mi, h, d, mo] = parts as string[];
  const note =
    dom !== '*' && dow !== '*' && dow !== '?'
      ? `cron_restart: "${expr}" names days of month and of week: cron runs on either, OnCalendar= on both`
      : undefined;
  return { calendar: `${wd ? `${wd} ` : ''}*-${mo}-${d} ${h}:${mi}:${s}`, ...(note ? { note } : {}) };
}
