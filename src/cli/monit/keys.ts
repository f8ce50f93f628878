/**
 * Key bindings: a key press (as node:readline decodes it) becomes an Action, depending on whether
 * the filter prompt is open. Pure, so the bindings are tested without a terminal.
 */
export type Op = 'restart' | 'stop' | 'reload';

export type Action =
  | { kind: 'move'; by: number }
  | { kind: 'page'; dir: 1 | -1 }
  | { kind: 'edge'; to: 'first' | 'last' }
  | { kind: 'op'; op: Op }
  | { kind: 'filter-open' }
  | { kind: 'filter-type'; text: string }
  | { kind: 'filter-erase' }
  | { kind: 'filter-keep' }
  | { kind: 'filter-clear' }
  | { kind: 'redraw' }
  | { kind: 'suspend' }
  | { kind: 'quit' };

/** What node:readline's `keypress` event gives. */
export interface Key {
  name?: string | undefined;
  ctrl?: boolean | undefined;
  meta?: boolean | undefined;
  shift?: boolean | undefined;
  sequence?: string | undefined;
}

/** Shown in the footer, in this order. */
export const KEY_HELP: ReadonlyArray<readonly [keys: string, what: string]> = [
  ['↑↓/jk', 'select'],
  ['r', 'restart'],
  ['s', 'stop'],
  ['l', 'reload'],
  ['/', 'filter'],
  ['q', 'quit'],
];

const COMMON = new Map<string, Action>(
  Object.entries({
    up: { kind: 'move', by: -1 },
    down: { kind: 'move', by: 1 },
    pageup: { kind: 'page', dir: -1 },
    pagedown: { kind: 'page', dir: 1 },
    home: { kind: 'edge', to: 'first' },
    end: { kind: 'edge', to: 'last' },
  } satisfies Record<string, Action>),
);

const NORMAL = new Map<string, Action>(
  Object.entries({
    k: { kind: 'move', by: -1 },
    j: { kind: 'move', by: 1 },
    g: { kind: 'edge', to: 'first' },
    G: { kind: 'edge', to: 'last' },
    r: { kind: 'op', op: 'restart' },
    s: { kind: 'op', op: 'stop' },
    l: { kind: 'op', op: 'reload' },
    '/': { kind: 'filter-open' },
    q: { kind: 'quit' },
  } satisfies Record<string, Action>),
);

export function actionOf(
  mode: 'normal' | 'filter',
  str: string | undefined,
  key: Key | undefined,
): Action | undefined {
  const name = key?.name;
  if (key?.ctrl) {
    if (name === 'c') return { kind: 'quit' };
    if (name === 'l') return { kind: 'redraw' };
    if (name === 'z') return { kind: 'suspend' };
    return undefined;
  }
  const common = name === undefined ? undefined : COMMON.get(name);
  if (common) return common;
  if (mode === 'filter') {
    if (name === 'return' || name === 'enter') return { kind: 'filter-keep' };
    if (name === 'escape') return { kind: 'filter-clear' };
    if (name === 'backspace') return { kind: 'filter-erase' };
    if (str && !key?.meta && [...str].every((c) => c >= ' ' && c !== '\u007f'))
      return { kind: 'filter-type', text: str };
    return undefined;
  }
  if (name === 'escape') return { kind: 'filter-clear' };
  return str !== undefined && !key?.meta ? NORMAL.get(str) : undefined;
}
