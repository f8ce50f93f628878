import type * as Crypto from 'node:crypto';
import { webhookPayload } from '../format.js';
import type { Channel, NotifyMessage } from '../types.js';
import { postJson } from './http-post.js';
import { lazyBuiltin } from '../../../common/lazy-builtin.js';

// Loaded once a notification is sent (see lazy-builtin.ts).
const crypto = lazyBuiltin<typeof Crypto>('node:crypto');

/**
 * The generic webhook: the JSON payload of format.ts, signed when a secret is set. The signature
 * covers `<timestamp>.<raw body>` so a captured request cannot be replayed later with a new
 * timestamp; receivers check both (recipe in docs/notifications.md).
 */
export function signature(secret: string, timestamp: string, body: string): string {
  return `sha256=${crypto().createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function webhookChannel(url: string, secret: string | undefined, now: () => number): Channel {
  return {
    name: 'webhook',
    send: (m: NotifyMessage) => {
      const body = JSON.stringify(webhookPayload(m));
      const ts = String(Math.floor(now() / 1000));
      const headers: Record<string, string> = { 'x-steward-event': m.kind, 'x-steward-delivery': m.id };
      if (secret) {
        headers['x-steward-timestamp'] = ts;
        headers['x-steward-signature'] = signature(secret, ts, body);
      }
      return postJson(url, body, headers);
    },
  };
}
