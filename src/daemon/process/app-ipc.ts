/** An action an app declared (PM2's shape). */
export interface AxmAction {
  action_name: string;
  action_type?: string;
  arity?: number;
  opts?: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * What an app tells through PM2's in-app agent protocol (@pm2/io, which Steward's agent speaks
 * too): metrics (`axm_monitor`), declared actions (`axm_actions`) and options. It belongs to the
 * instance's current process and is cleared when that process goes.
 */
export class AppTelemetry {
  metrics: Record<string, Record<string, unknown>> = {};
  actions: AxmAction[] = [];
  options: Record<string, unknown> = {};

  clear(): void {
    this.metrics = {};
    this.actions = [];
    this.options = {};
  }

  /** Takes one `axm:*` message; returns the payload of an `axm:reply` (for the caller), else undefined. */
  handle(raw: unknown): { reply: unknown } | undefined {
    if (!isRecord(raw)) return undefined;
    const data = raw.data;
    switch (raw.type) {
      case 'axm:monitor':
        if (isRecord(data)) for (const [k, v] of Object.entries(data)) if (isRecord(v)) this.metrics[k] = v;
        return undefined;
      case 'axm:action':
        if (isRecord(data) && typeof data.action_name === 'string') {
          const name = data.action_name;
          this.actions = [
            ...this.actions.filter((a) => a.action_name !== name),
            { ...data, action_name: name },
          ];
        }
        return undefined;
      case 'axm:option:configuration':
        if (isRecord(data)) this.options = { ...this.options, ...data };
        return undefined;
      case 'axm:reply':
        return { reply: data };
      default:
        return undefined;
    }
  }
}

/** True for a message of the agent protocol (`axm:*`). */
export function isAxmMessage(raw: unknown): boolean {
  return isRecord(raw) && typeof raw.type === 'string' && raw.type.startsWith('axm:');
}
