import { compileLogPattern } from '../../../config/normalize-notify.js';
import type { Instance } from '../../lifecycle/instance.js';

/**
 * Lines of an app's output that match its `notify.log_pattern`. Output reaches this only while some
 * app has a pattern (the daemon's `wantsOutput`), so apps without one cost nothing; a line cut
 * across two chunks is put back together (up to MAX_PARTIAL bytes).
 */
const MAX_PARTIAL = 8192;

export class LogMatcher {
  private readonly compiled = new Map<string, RegExp>();
  private readonly partial = new Map<string, string>();

  constructor(private readonly onMatch: (inst: Instance, line: string, pattern: string) => void) {}

  /** Does any app in this table have a pattern? */
  static wanted(insts: Instance[]): boolean {
    return insts.some((i) => i.config.notify?.enabled === true && i.config.notify.log_pattern !== null);
  }

  output(inst: Instance, stream: string, chunk: Buffer): void {
    const pattern = inst.config.notify?.enabled ? inst.config.notify.log_pattern : null;
    if (!pattern) return;
    let re = this.compiled.get(pattern);
    if (!re) {
      re = compileLogPattern(pattern);
      this.compiled.set(pattern, re);
    }
    const key = `${inst.pm_id}:${stream}`;
    const text = (this.partial.get(key) ?? '') + chunk.toString('utf8');
    const lines = text.split('\n');
    const rest = lines.pop() ?? '';
    if (rest === '' || rest.length > MAX_PARTIAL) this.partial.delete(key);
    else this.partial.set(key, rest);
    for (const line of lines) if (re.test(line)) this.onMatch(inst, line.replace(/\r$/, ''), pattern);
  }
}
