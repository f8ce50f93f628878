import { chatText } from '../format.js';
import type { Channel } from '../types.js';
import { postJson } from './http-post.js';

/** A Slack incoming webhook (and Mattermost/Rocket.Chat, which take the same `{text}` body). */
export function slackChannel(url: string): Channel {
  return { name: 'slack', send: (m) => postJson(url, JSON.stringify({ text: chatText(m, 3500) })) };
}
