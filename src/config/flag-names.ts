/** Commander's attribute name of a flag: `-k, --kill-timeout <ms>` → `killTimeout`, `--no-pmx` → `pmx`. */
export function flagAttr(flags: string): string {
  const long = /--([a-z0-9-]+)/i.exec(flags)?.[1] ?? '';
  return long.replace(/^no-/, '').replace(/-([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}
