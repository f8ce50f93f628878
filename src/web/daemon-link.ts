import { Client } from '../client/client.js';
import type { MethodName, ParamsOf, ResultOf } from '../protocol/methods.js';

/**
 * The web server's connections to the daemon, over the same unix socket as the CLI: one for calls
 * and table events, and a second one subscribed to `logs` only while some page shows a log view
 * (the daemon passes output on only while someone follows it, so an idle page costs it nothing).
 */
export class DaemonLink {
  private logsClient: Promise<Client> | undefined;
  private readonly listeners = new Set<(method: string, params: unknown) => void>();

  private constructor(
    readonly client: Client,
    private readonly home: string,
  ) {
    client.onNotification((m, p) => this.emit(m, p));
  }

  /** Connects (never starts a daemon: the daemon starts us); `onGone` runs if the daemon goes away. */
  static async open(home: string, onGone: () => void): Promise<DaemonLink> {
    const client = await Client.connect({ home, autostart: false });
    await client.hello;
    await client.call('subscribe', { topics: ['events'] });
    void client.waitClosed().then(onGone);
    return new DaemonLink(client, home);
  }

  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
    return this.client.call(method, params);
  }

  /** Daemon notifications: `event`, `axm:reply`, and `log` while logs are wanted. */
  onNotification(fn: (method: string, params: unknown) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(method: string, params: unknown): void {
    for (const l of this.listeners) l(method, params);
  }

  /** Follows output while `on`; closes the logs connection when no page needs it. */
  wantLogs(on: boolean): void {
    if (on && !this.logsClient) {
      const p = Client.connect({ home: this.home, autostart: false }).then(async (c) => {
        c.onNotification((m, params) => {
          if (m === 'log') this.emit(m, params);
        });
        await c.call('subscribe', { topics: ['logs'], frames: true });
        return c;
      });
      p.catch(() => (this.logsClient = undefined));
      this.logsClient = p;
    } else if (!on && this.logsClient) {
      const p = this.logsClient;
      this.logsClient = undefined;
      p.then((c) => c.close()).catch(() => undefined);
    }
  }

  close(): void {
    this.wantLogs(false);
    this.client.close();
  }
}
