import { spawn } from 'node:child_process';
import { webhookPayload } from '../format.js';
import type { Channel, NotifyMessage } from '../types.js';
import { ChannelError } from './http-post.js';

/**
 * Runs a shell command with the event in its environment (STEWARD_EVENT, STEWARD_APP, … and the
 * whole payload as JSON in STEWARD_EVENT_JSON). Exit 0 is a delivery; the answer is its first line
 * of output. Killed after COMMAND_TIMEOUT_MS, with its process group.
 */
const COMMAND_TIMEOUT_MS = 30_000;
const MAX_OUTPUT = 4096;

export function eventEnv(m: NotifyMessage): Record<string, string> {
  return {
    STEWARD_EVENT: m.kind,
    STEWARD_HOST: m.host,
    STEWARD_APP: m.app,
    STEWARD_PM_ID: m.pm_id === null ? '' : String(m.pm_id),
    STEWARD_REASON: m.reason,
    STEWARD_EXIT_CODE: m.exit_code === undefined ? '' : String(m.exit_code),
    STEWARD_SIGNAL: m.signal ?? '',
    STEWARD_COUNT: String(m.count),
    STEWARD_EVENT_ID: m.id,
    STEWARD_EVENT_JSON: JSON.stringify(webhookPayload(m)),
  };
}

export function commandChannel(command: string): Channel {
  return {
    name: 'command',
    send: (m) =>
      new Promise((resolve, reject) => {
        const child = spawn('/bin/sh', ['-c', command], {
          env: { ...process.env, ...eventEnv(m) },
          stdio: ['ignore', 'pipe', 'pipe'],
          detached: true,
          cwd: '/',
        });
        let out = '';
        const keep = (b: Buffer) => {
          if (out.length < MAX_OUTPUT) out += b.toString('utf8');
        };
        child.stdout.on('data', keep);
        child.stderr.on('data', keep);
        const timer = setTimeout(() => {
          try {
            process.kill(-(child.pid ?? 0), 'SIGKILL');
          } catch {
            // already gone
          }
        }, COMMAND_TIMEOUT_MS);
        child.on('error', (e) => {
          clearTimeout(timer);
          reject(new ChannelError(`cannot run the command: ${e.message}`));
        });
        child.on('close', (code, signal) => {
          clearTimeout(timer);
          const first = out.trim().split('\n')[0]?.slice(0, 200) ?? '';
          const how = signal ? `signal ${signal}` : `exit ${code}`;
          if (code === 0) resolve(`${how}${first ? `: ${first}` : ''}`);
          else reject(new ChannelError(`command failed (${how})${first ? `: ${first}` : ''}`));
        });
      }),
  };
}
