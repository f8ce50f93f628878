import type { Transporter } from 'nodemailer';
import { bodyLines, title } from '../format.js';
import type { Channel } from '../types.js';
import { ChannelError } from './http-post.js';

/**
 * E-mail over SMTP with nodemailer, loaded on the first mail (the daemon does not pay for it
 * before; it is left out of the daemon bundle, scripts/build.js). `smtp://` upgrades with STARTTLS
 * whenever the server offers it and `smtps://` is TLS from the start; the server's certificate is
 * checked against the system's CAs (plus NODE_EXTRA_CA_CERTS) either way.
 */
export function emailChannel(smtpUrl: string, to: string, from: string | undefined, host: string): Channel {
  let transport: Promise<Transporter> | undefined;
  const open = async (): Promise<Transporter> => {
    const nodemailer = (await import('nodemailer')).default;
    const u = new URL(smtpUrl);
    const secure = u.protocol === 'smtps:';
    return nodemailer.createTransport({
      host: u.hostname,
      port: u.port ? Number(u.port) : secure ? 465 : 587,
      secure,
      ...(u.username
        ? { auth: { user: decodeURIComponent(u.username), pass: decodeURIComponent(u.password) } }
        : {}),
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    });
  };
  return {
    name: 'email',
    send: async (m) => {
      transport ??= open();
      try {
        const info = (await (
          await transport
        ).sendMail({
          from: from ?? `steward@${host}`,
          to,
          subject: `[steward] ${title(m)}`,
          text: bodyLines(m).join('\n') + '\n',
        })) as { response?: string };
        return info.response ?? 'sent';
      } catch (e) {
        transport = undefined;
        throw new ChannelError(smtpReason(e));
      }
    },
  };
}

/** nodemailer's message without anything of the URL (its password). */
function smtpReason(e: unknown): string {
  const err = e as { code?: string; responseCode?: number; response?: string; message?: string };
  if (err.responseCode)
    return `SMTP ${err.responseCode}${err.response ? `: ${err.response.slice(0, 200)}` : ''}`;
  if (err.code === 'ECONNREFUSED' || err.code === 'ESOCKET' || err.code === 'ECONNECTION')
    return `cannot connect to the SMTP server (${err.code})`;
  if (err.code === 'EAUTH') return 'SMTP authentication failed (EAUTH)';
  return err.code ? `SMTP error (${err.code})` : 'SMTP error';
}
