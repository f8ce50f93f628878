import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '../client/client.js';
import { StewardError } from '../common/errors.js';
import { stewardVersion } from '../common/version.js';
import type { Endpoint } from '../remote/endpoint.js';
import type { LateStartNotice } from '../protocol/methods.js';

/** What every command handler gets: a lazily connected client and output helpers. */
export class CliContext {
  private client: Client | undefined;
  silent = false;
  /** Set when the command goes to a daemon on another host (`--host`, `--context`; docs/remote.md). */
  endpoint: (Endpoint & { host: string }) | undefined;

  async connect(): Promise<Client> {
    if (!this.client) {
      const ep = this.endpoint;
      const c = await Client.connect(ep ? { host: ep.host, remote: ep, notices: true } : { notices: true });
      this.client = c;
      if (c.remote) {
        // Same protocol (checked when connecting), another release: say so, once per command.
        const side = c.remote;
        if (side.version !== stewardVersion())
          this.warn(`${side.host} runs Steward ${side.version}, this CLI is ${stewardVersion()}`);
        // A daemon there older than its own CLI (installed, not yet swapped in).
        c.hello
          .then((h) => {
            if (h.version !== side.version)
              this.warn(
                `the daemon on ${side.host} runs Steward ${h.version}, its CLI is ${side.version}; run \`steward --host ssh://${side.host} update\``,
              );
          })
          .catch(() => undefined);
        return c;
      }
      // The handshake reply arrives before any command's reply: no extra round trip.
      c.hello
        .then((h) => {
          this.checkVersion(c, h.version, h.pid);
          for (const n of h.late_starts ?? []) this.warnLateStart(n);
        })
        .catch(() => undefined);
    }
    return this.client;
  }

  /** An app that crashed within its start window after `start` had returned (docs/restart-policy.md). */
  private warnLateStart(n: LateStartNotice): void {
    this.warn(
      `${n.name} (id ${n.pm_id}) exited ${n.after_ms}ms after it was started: ${n.exit}; ` +
        `see \`steward show ${n.name}\` and \`steward logs ${n.name}\``,
    );
  }

  /** Says once per daemon (not on every command) that it runs another version than this CLI. */
  private checkVersion(c: Client, daemonVersion: string, pid: number): void {
    if (daemonVersion === stewardVersion()) return;
    const marker = join(c.paths.home, `.version-warned-${pid}`);
    if (existsSync(marker)) return;
    this.warn(
      `the daemon runs Steward ${daemonVersion}, this CLI is ${stewardVersion()}; ` +
        'run `steward kill` then any command to switch (apps can be brought back with save/resurrect)',
    );
    try {
      writeFileSync(marker, daemonVersion, { mode: 0o600 });
    } catch {
      // warning again next time is acceptable
    }
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
