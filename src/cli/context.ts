import { Client } from '../client/client.js';
import { StewardError } from '../common/errors.js';

/** What every command handler gets: a lazily connected client and output helpers. */
export class CliContext {
  private client: Client | undefined;
  silent = false;

  async connect(): Promise<Client> {
    this.client ??= await Client.connect();
    return this.client;
  }

  /** A status line on stdout (`[steward] …`), muted by --silent. */
  info(msg: string): void {
    if (!this.silent) process.stdout.write(`[steward] ${msg}\n`);
  }

  /** Data output (tables, JSON): never muted. */
  out(text: string): void {
    process.stdout.write(text.endsWith('\n') ? text : text + '\n');
  }

  warn(msg: string): void {
    process.stderr.write(`[steward] warning: ${msg}\n`);
  }

  close(): void {
    this.client?.close();
  }
}

export function usage(message: string, hint: string): StewardError {
  return new StewardError('E_USAGE', message, { hint });
}
