import { chatText } from '../format.js';
import type { Channel } from '../types.js';
import { postJson } from './http-post.js';

/** A Discord webhook: `{content}`, at most 2000 characters. Discord answers 204 No Content. */
export function discordChannel(url: string): Channel {
  return { name: 'discord', send: (m) => postJson(url, JSON.stringify({ content: chatText(m, 1900) })) };
}
