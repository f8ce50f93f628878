import type { NotifySettings } from '../settings.js';
import type { Channel, ChannelName } from '../types.js';
import { commandChannel } from './command.js';
import { discordChannel } from './discord.js';
import { emailChannel } from './email.js';
import { slackChannel } from './slack.js';
import { teamsChannel } from './teams.js';
import { webhookChannel } from './webhook.js';

/** The channels the settings configure, by name. */
export function buildChannels(s: NotifySettings, host: string, now: () => number): Map<ChannelName, Channel> {
  const out = new Map<ChannelName, Channel>();
  if (s.webhook) out.set('webhook', webhookChannel(s.webhook, s.webhook_secret, now));
  if (s.slack) out.set('slack', slackChannel(s.slack));
  if (s.discord) out.set('discord', discordChannel(s.discord));
  if (s.teams) out.set('teams', teamsChannel(s.teams));
  if (s.smtp && s.email_to) out.set('email', emailChannel(s.smtp, s.email_to, s.email_from, host));
  if (s.command) out.set('command', commandChannel(s.command));
  return out;
}
