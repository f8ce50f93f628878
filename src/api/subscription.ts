import { EventEmitter } from 'node:events';
import { Client } from '../client/client.js';

/** Items kept for a slow async iterator before the oldest are dropped (the 'data' event never drops). */
const MAX_QUEUE = 10_000;

type Events<T> = { data: [item: T]; close: []; error: [err: Error] };

/**
 * A live stream from the daemon (log lines or process events) on a connection of its own, so that
 * closing it ends the subscription. Use it as an event emitter (`on('data')`) or an async iterable
 * (`for await (const line of stream)`); both end when it is closed or the daemon goes away.
 *
 * @example
 * const logs = await steward.logs({ targets: ['api'] });
 * for await (const line of logs) process.stdout.write(`${line.name}: ${line.data}`);
 */
export class Subscription<T> extends EventEmitter<Events<T>> implements AsyncIterable<T> {
  private readonly queue: T[] = [];
  private readonly waiters: Array<(r: IteratorResult<T>) => void> = [];
  private iterating = false;
  private ended = false;

  private constructor(private readonly client: Client) {
    super();
    void client.waitClosed().then(() => this.end());
  }

  /** Opens a connection, subscribes to `topics`, and maps each notification with `pick`. */
  static async open<T>(
    home: string,
    topics: Array<'events' | 'logs'>,
    pick: (method: string, params: unknown) => T | undefined,
  ): Promise<Subscription<T>> {
    const client = await Client.connect({ home, autostart: false });
    const sub = new Subscription<T>(client);
    client.onNotification((method, params) => {
      const item = pick(method, params);
      if (item !== undefined) sub.push(item);
    });
    try {
      await client.call('subscribe', { topics, frames: true });
    } catch (e) {
      client.close();
      throw e;
    }
    return sub;
  }

  private push(item: T): void {
    if (this.ended) return;
    this.emit('data', item);
    const waiter = this.waiters.shift();
    if (waiter) waiter({ value: item, done: false });
    else if (this.iterating) {
      this.queue.push(item);
      if (this.queue.length > MAX_QUEUE) this.queue.shift();
    }
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const w of this.waiters.splice(0)) w({ value: undefined, done: true });
    this.emit('close');
  }

  /** Ends the stream and its connection. */
  close(): void {
    this.client.close();
    this.end();
  }

  get closed(): boolean {
    return this.ended;
  }

  [Symbol.asyncIterator](): AsyncIterator<T> {
    this.iterating = true;
    return {
      next: () => {
        const item = this.queue.shift();
        if (item !== undefined) return Promise.resolve({ value: item, done: false });
        if (this.ended) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve) => this.waiters.push(resolve));
      },
      return: () => {
        this.close();
        return Promise.resolve({ value: undefined, done: true });
      },
    };
  }
}
