import { chatText } from '../format.js';
import type { Channel } from '../types.js';
import { postJson } from './http-post.js';

/**
 * A Microsoft Teams incoming webhook (an Office 365 connector, or a Workflows "post to a channel
 * when a webhook request is received" flow): the connector card's `{text}` form, which both take.
 */
export function teamsChannel(url: string): Channel {
  return {
    name: 'teams',
    send: (m) =>
      postJson(
        url,
        JSON.stringify({
          '@type': 'MessageCard',
          '@context': 'https://schema.org/extensions',
          summary: `${m.app || m.host}: ${m.kind}`,
          text: chatText(m, 20_000),
        }),
      ),
  };
}
