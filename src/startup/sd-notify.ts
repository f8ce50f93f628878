import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * systemd's readiness protocol (sd_notify): a service of `Type=notify` sends `READY=1` as a datagram
 * to the unix socket named by `NOTIFY_SOCKET`. Node has no unix datagram sockets and Steward takes no
 * native module, so the datagram is sent by `systemd-notify`, which ships with systemd itself (it is
 * on every machine where NOTIFY_SOCKET can be set). Because that helper is a child process, the unit
 * needs `NotifyAccess=all` (see src/startup/templates.ts).
 *
 * NOTIFY_SOCKET is removed from this process's environment on first use (sd_notify's
 * `unset_environment`): no app started later can inherit it and tell systemd that it is the service,
 * and a second call (from another copy of this module) is a no-op.
 */
export interface NotifyResult {
  sent: boolean;
  /** Why nothing was sent, or why sending failed. */
  reason?: string;
}

const HELPER = 'systemd-notify';
const HELPER_DIRS = ['/usr/bin', '/bin', '/usr/local/bin'];
const HELPER_TIMEOUT_MS = 5000;

function findHelper(pathVar: string | undefined): string | undefined {
  for (const dir of [...(pathVar ?? '').split(delimiter), ...HELPER_DIRS]) {
    if (!dir) continue;
    const p = join(dir, HELPER);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Tells systemd that the service is ready (with a one-line status). Resolves, never rejects: a
 * daemon that cannot notify still runs (systemd then reports a start timeout with our log line).
 */
export function notifyReady(
  status: string,
  log: (msg: string) => void = () => undefined,
): Promise<NotifyResult> {
  const socket = process.env.NOTIFY_SOCKET;
  if (!socket) return Promise.resolve({ sent: false, reason: 'NOTIFY_SOCKET is not set' });
  delete process.env.NOTIFY_SOCKET;
  const helper = findHelper(process.env.PATH);
  if (!helper) {
    const reason = `${HELPER} not found: cannot tell systemd that the daemon is ready`;
    log(reason);
    return Promise.resolve({ sent: false, reason });
  }
  const args = ['--ready', `--pid=${process.pid}`, `--status=${status.replace(/\n/g, ' ')}`];
  return new Promise((resolve) => {
    execFile(
      helper,
      args,
      { env: { ...process.env, NOTIFY_SOCKET: socket }, timeout: HELPER_TIMEOUT_MS },
      (err, _stdout, stderr) => {
        if (err) {
          const reason = `${HELPER} failed: ${stderr.trim() || err.message}`;
          log(reason);
          resolve({ sent: false, reason });
        } else {
          resolve({ sent: true });
        }
      },
    );
  });
}
