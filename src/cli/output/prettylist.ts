import { inspect } from 'node:util';

/** `prettylist` text, as PM2 prints it: util.inspect of the whole list, every level, no colours. */
export function prettyText(list: unknown[]): string {
  return inspect(list, { depth: null, colors: false, maxArrayLength: null });
}
