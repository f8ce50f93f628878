import { execFileSync } from 'node:child_process';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { tmpDir } from '../helpers.js';

/** A webhook as a receiver sees it: headers, raw body, the JSON, and whether its signature checks. */
export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  json: Record<string, unknown>;
  signed: boolean;
}

/**
 * A local webhook receiver on 127.0.0.1 that verifies X-Steward-Signature as docs/notifications.md
 * tells receivers to (HMAC-SHA256 of `<timestamp>.<body>`, timestamp within 5 minutes). It can be
 * taken down (connection refused) and brought back on the same port, or made to answer 500.
 */
export class Receiver {
  readonly got: Received[] = [];
  status = 200;
  private server: Server | undefined;
  port = 0;

  constructor(private readonly secret: string | undefined) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}/hooks/s3cr3t-path`;
  }

  async up(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        this.got.push({
          path: req.url ?? '',
          headers: req.headers,
          raw,
          json: JSON.parse(raw) as Record<string, unknown>,
          signed: this.verify(req.headers, raw),
        });
        res.writeHead(this.status, { 'content-type': 'text/plain' });
        res.end(this.status === 200 ? 'thanks' : 'broken');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async down(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }

  private verify(h: IncomingHttpHeaders, raw: string): boolean {
    if (!this.secret) return false;
    const ts = String(h['x-steward-timestamp'] ?? '');
    const sig = String(h['x-steward-signature'] ?? '');
    if (!/^\d+$/.test(ts) || Math.abs(Date.now() / 1000 - Number(ts)) > 300) return false;
    const want = Buffer.from(
      `sha256=${createHmac('sha256', this.secret).update(`${ts}.${raw}`).digest('hex')}`,
    );
    const have = Buffer.from(sig);
    return want.length === have.length && timingSafeEqual(want, have);
  }

  of(event: string, app?: string): Received[] {
    return this.got.filter((r) => r.json.event === event && (app === undefined || r.json.app === app));
  }
}

/**
 * A self-signed certificate for 127.0.0.1 (openssl): for STARTTLS (NODE_EXTRA_CA_CERTS trusts it)
 * and for `steward web --tls-cert/--tls-key`.
 */
export function selfSignedCert(): { key: string; cert: string; certPath: string; keyPath: string } {
  const dir = tmpDir('stwcert-');
  const keyPath = join(dir, 'key.pem');
  const certPath = join(dir, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1',
    ],
    { stdio: 'ignore' },
  );
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), certPath, keyPath };
}

export interface Mail {
  from: string;
  to: string[];
  raw: string;
  secure: boolean;
  user: string | undefined;
}

/** A local SMTP server that offers STARTTLS and accepts AUTH (only over TLS) for user/pass. */
export async function smtpServer(
  tls: { key: string; cert: string },
  user: string,
  pass: string,
): Promise<{ port: number; mails: Mail[]; close: () => Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    key: tls.key,
    cert: tls.cert,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: false,
    onAuth(auth, _session, cb) {
      if (auth.username === user && auth.password === pass) cb(null, { user: auth.username });
      else cb(new Error('bad credentials'));
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          secure: session.secure,
          user: session.user as string | undefined,
        });
        cb();
      });
    },
    logger: false,
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.server.address() as AddressInfo).port;
  return { port, mails, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
