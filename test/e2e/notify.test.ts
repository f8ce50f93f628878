import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { APPS, Home, tmpDir, waitFor } from '../helpers.js';
import { Receiver, selfSignedCert, smtpServer, type Mail } from './notify-support.js';

/**
 * Notifications end to end: a real daemon, real crashing apps, a local webhook receiver that
 * checks the signature, a local SMTP server with STARTTLS and AUTH, and the command channel.
 * The grouping window is set to 2 s (`notify.window`) so that a crash loop's summary comes soon.
 */
const SECRET = 'a-shared-secret-for-tests';
const WINDOW_MS = 2000;

describe('notifications', () => {
  const home = new Home();
  const rx = new Receiver(SECRET);
  const tls = selfSignedCert();
  let smtp: Awaited<ReturnType<typeof smtpServer>>;
  const dir = tmpDir('stwn-');
  // The daemon trusts the test's certificate (it is started by the first command, with this env).
  const env = { NODE_EXTRA_CA_CERTS: tls.certPath };
  const ok = (args: string[]) => home.ok(args, { env });

  before(async () => {
    await rx.up();
    smtp = await smtpServer(tls, 'mailer', 'p@ss:word');
  });
  after(async () => {
    await home.cleanup();
    await rx.down();
    await smtp.close();
  });

  it('refuses a bad setting with a one-line error and saves nothing', async () => {
    const r = await home.run(['set', 'notify.webhook', 'not a url'], { env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /notify\.webhook: expected an http:\/\/ or https:\/\/ URL/);
    assert.match(r.stderr, /nothing was saved/);
    const unknown = await home.run(['set', 'notify.pager', 'x'], { env });
    assert.equal(unknown.code, 2);
    assert.match(
      unknown.stderr,
      /unknown setting "notify\.pager" \(notify settings are notify\.webhook, notify\.webhook_secret/,
    );
    const smtpBad = await home.run(['set', 'notify.smtp', 'http://user:hunter2@x'], { env });
    assert.equal(smtpBad.code, 2);
    assert.doesNotMatch(smtpBad.stderr, /hunter2/, 'a rejected SMTP URL is not echoed (it holds a password)');
    assert.equal(existsSync(join(home.dir, 'notify.json')), false);
    assert.equal((await ok(['get', 'notify.webhook'])).stdout.trim(), 'null');
  });

  it('refuses an unknown field in an app’s notify section, starting nothing', async () => {
    const file = join(dir, 'bad.config.js');
    writeFileSync(
      file,
      `module.exports = { apps: [{ name: 'badn', script: ${JSON.stringify(join(APPS, 'forever.js'))}, notify: { slack: 'https://x' } }] };`,
    );
    const r = await home.run(['start', file], { env });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /notify\.slack: unknown field/);
    assert.match(r.stderr, /channels are global settings: steward set notify\.slack/);
    const pattern = join(dir, 'badpattern.config.js');
    writeFileSync(
      pattern,
      `module.exports = { apps: [{ name: 'badp', script: ${JSON.stringify(join(APPS, 'forever.js'))}, notify: { log_pattern: '(' } }] };`,
    );
    const r2 = await home.run(['start', pattern], { env });
    assert.notEqual(r2.code, 0);
    assert.match(r2.stderr, /notify\.log_pattern: Invalid regular expression/);
    assert.equal((await home.jlist()).length, 0);
  });

  it('keeps the settings 0600, masks secrets in get, and notify test prints the answer', async () => {
    await ok(['set', 'notify.webhook', rx.url]);
    await ok(['set', 'notify.webhook_secret', SECRET]);
    await ok(['set', 'notify.window', `${WINDOW_MS / 1000}s`]);
    assert.equal(statSync(join(home.dir, 'notify.json')).mode & 0o777, 0o600);
    assert.equal((await ok(['get', 'notify.webhook'])).stdout.trim(), `"http://127.0.0.1:${rx.port}/…"`);
    assert.equal((await ok(['get', 'notify.webhook_secret'])).stdout.trim(), '"***"');
    const all = (await ok(['get'])).stdout;
    assert.doesNotMatch(all, /s3cr3t-path|a-shared-secret/);
    const r = await ok(['notify', 'test', 'webhook']);
    assert.equal(r.stdout.trim(), 'webhook: ok: 200 OK: thanks');
    const t = rx.of('test')[0];
    assert.ok(t?.signed, 'the test message carries a valid signature');
    assert.equal(t.json.host, hostname());
  });

  it('sends an errored message within 5 s of a crashing app, with the right fields, signed', async () => {
    const t0 = Date.now();
    await home.run(['start', join(APPS, 'crash.js'), '--name', 'crashy', '--max-restarts', '2'], { env });
    const m = await waitFor(() => rx.of('errored', 'crashy')[0], 'an errored message for crashy', 5000);
    assert.ok(Date.now() - t0 < 5000);
    assert.ok(m.signed, 'valid X-Steward-Signature');
    const ids = (await home.jlist()).filter((e) => e.name === 'crashy').map((e) => e.pm_id);
    assert.equal(m.json.pm_id, ids[0]);
    assert.equal(m.json.host, hostname());
    assert.equal(m.json.exit_code, 1);
    assert.match(String(m.json.reason), /unstable restarts/);
    assert.ok(
      (m.json.last_lines as string[]).includes('crash.js failing with code 1'),
      JSON.stringify(m.json.last_lines),
    );
    assert.equal(m.headers['x-steward-event'], 'errored');
    // Never an environment value or a setting in a message.
    assert.doesNotMatch(m.raw, /s3cr3t-path|a-shared-secret|STEWARD_HOME/);
  });

  it('turns a crash loop into a bounded number of messages with counts', async (t) => {
    // 12 quick crashes, then the crash-loop guard (restart_limit) gives up.
    const t0 = Date.now();
    await home.run(
      [
        'start',
        join(APPS, 'crash.js'),
        '--name',
        'loop',
        '--min-uptime',
        '50',
        '--restart-limit',
        '12',
        '--restart-limit-window',
        '1m',
      ],
      { env: { ...env, DELAY_MS: '100' } },
    );
    const guard = await waitFor(() => rx.of('crash_loop', 'loop')[0], 'the crash-loop guard message', 20_000);
    const loopTime = Date.now() - t0;
    assert.match(String(guard.json.reason), /restart_limit 12/);
    // Every exit is counted once, in a message of its own or in a summary.
    const exits = await waitFor(
      () => {
        const got = rx.of('exit', 'loop');
        const total = got.reduce((n, r) => n + Number(r.json.count), 0);
        return total >= 12 ? got : undefined;
      },
      'the exits, counted',
      WINDOW_MS + 5000,
    );
    // Bound: 1 + ceil(loop time / window) exit messages for the 12 exits (plus the guard's one).
    const bound = 1 + Math.ceil((loopTime + WINDOW_MS) / WINDOW_MS);
    t.diagnostic(
      `${exits.length} exit messages (counts ${exits.map((r) => Number(r.json.count)).join(', ')}) for 12 exits in ${loopTime} ms (bound ${bound})`,
    );
    assert.ok(exits.length <= bound, `${exits.length} exit messages for 12 exits (bound ${bound})`);
    assert.ok(
      exits.some((r) => Number(r.json.count) > 1),
      'a summary with a count',
    );
  });

  it('sends a matching log line, a memory threshold, a memory-limit restart and a failed health check (per-app notify)', async () => {
    const script = join(dir, 'fatal.js');
    writeFileSync(
      script,
      "console.log('all fine');\nsetTimeout(() => console.error('FATAL: disk on fire'), 300);\nsetInterval(() => {}, 1 << 30);\n",
    );
    const file = join(dir, 'ecosystem.config.js');
    writeFileSync(
      file,
      `module.exports = { apps: [
        { name: 'fatal', script: ${JSON.stringify(script)}, notify: { log_pattern: 'FATAL|Unhandled', events: ['log_match'] } },
        { name: 'fat', script: ${JSON.stringify(join(APPS, 'leaker.js'))}, env: { LEAK_MB_PER_S: '60' }, notify: { memory_above: '90M', above_for: '1s' } },
        { name: 'capped', script: ${JSON.stringify(join(APPS, 'leaker.js'))}, env: { LEAK_MB_PER_S: '60' }, max_memory_restart: '120M', memory_check_interval: 200 },
        { name: 'sick', script: ${JSON.stringify(join(APPS, 'forever.js'))}, health_check: { command: 'exit 3', interval: 300, failure_threshold: 2 } },
      ] };`,
    );
    await ok(['start', file]);
    const line = await waitFor(() => rx.of('log_match', 'fatal')[0], 'a log_match message', 5000);
    assert.match(String(line.json.reason), /FATAL\|Unhandled: FATAL: disk on fire/);
    const mem = await waitFor(() => rx.of('memory_high', 'fat')[0], 'a memory_high message', 10_000);
    assert.match(String(mem.json.reason), /memory \d+MB above 90MB for 1s/);
    const capped = await waitFor(
      () => rx.of('memory_restart', 'capped')[0],
      'a memory_restart message',
      10_000,
    );
    assert.match(String(capped.json.reason), /over max_memory_restart 120MB/);
    const sick = await waitFor(() => rx.of('health_failed', 'sick')[0], 'a health_failed message', 5000);
    assert.match(String(sick.json.reason), /health check failed 2 times in a row/);
    await ok(['delete', 'fat', 'capped', 'sick']);
  });

  it('speaks Slack, Discord and Teams incoming webhooks, and notify test prints every answer', async () => {
    const base = `http://127.0.0.1:${rx.port}`;
    await ok(['set', 'notify.slack', `${base}/slack/T0/B0/XYZ`]);
    await ok(['set', 'notify.discord', `${base}/discord/123/abc`]);
    await ok(['set', 'notify.teams', `${base}/teams/webhookb2/xyz`]);
    const r = await ok(['notify', 'test']);
    assert.deepEqual(r.stdout.trim().split('\n').sort(), [
      'discord: ok: 200 OK: thanks',
      'slack: ok: 200 OK: thanks',
      'teams: ok: 200 OK: thanks',
      'webhook: ok: 200 OK: thanks',
    ]);
    // (A summary of an earlier app's events may arrive on the new channels too: skip it.)
    const body = (prefix: string) =>
      rx.got.find((g) => g.path.startsWith(prefix) && g.raw.includes('test message'))?.json ?? {};
    assert.match(String(body('/slack/').text), new RegExp(`^${hostname()}: test message\n\`\`\`\nhost: `));
    assert.match(String(body('/discord/').content), /test message/);
    assert.equal(body('/teams/')['@type'], 'MessageCard');
    assert.match(String(body('/teams/').text), /test message/);
    for (const k of ['slack', 'discord', 'teams']) await ok(['unset', `notify.${k}`]);
  });

  it('runs the command channel with the event in its environment', async () => {
    const out = join(dir, 'command.out');
    await ok([
      'set',
      'notify.command',
      // Appended, one line per run: events of this file's other apps may run it meanwhile.
      `printf '%s|%s|%s\\n' "$STEWARD_EVENT" "$STEWARD_HOST" "$STEWARD_REASON" >> ${out}; echo handled`,
    ]);
    const r = await ok(['notify', 'test', 'command']);
    assert.equal(r.stdout.trim(), 'command: ok: exit 0: handled');
    assert.ok(
      readFileSync(out, 'utf8').split('\n').includes(`test|${hostname()}|steward notify test`),
      readFileSync(out, 'utf8'),
    );
    await ok(['unset', 'notify.command']);
  });

  it('sends e-mail over SMTP with STARTTLS and AUTH, with the right subject and body', async () => {
    await ok([
      'set',
      'notify.smtp',
      `smtp://mailer:${encodeURIComponent('p@ss:word')}@127.0.0.1:${smtp.port}`,
    ]);
    await ok(['set', 'notify.email_to', 'ops@example.com']);
    await ok(['set', 'notify.email_from', 'steward@example.com']);
    assert.equal(
      (await ok(['get', 'notify.smtp'])).stdout.trim(),
      `"smtp://mailer:***@127.0.0.1:${smtp.port}"`,
    );
    const r = await ok(['notify', 'test', 'email']);
    assert.match(r.stdout.trim(), /^email: ok: 250 /);
    let mail: Mail = await waitFor(
      // (a summary of an earlier app's events may come first: the test mail is the one asked for)
      () => smtp.mails.find((m) => /: test message/.test(m.raw)),
      'the test mail',
      5000,
    );
    assert.equal(mail.secure, true, 'STARTTLS was used');
    assert.equal(mail.user, 'mailer');
    assert.deepEqual(mail.to, ['ops@example.com']);
    assert.match(mail.raw, new RegExp(`Subject: \\[steward\\] ${hostname()}: test message`));
    // A real event by mail: the subject names app, host and event; the body the reason and lines.
    await home.run(['start', join(APPS, 'crash.js'), '--name', 'mailed', '--max-restarts', '1'], { env });
    mail = await waitFor(
      () => smtp.mails.find((m) => /mailed \(id \d+\) on/.test(m.raw) && /errored/.test(m.raw)),
      'an errored mail',
      8000,
    );
    assert.match(
      mail.raw,
      new RegExp(`Subject: \\[steward\\] mailed \\(id \\d+\\) on ${hostname()}: errored`),
    );
    const body = mail.raw.replace(/=\r\n/g, ''); // quoted-printable soft line breaks
    assert.match(body, /reason: code 1; 1 unstable restarts/);
    assert.match(body, /crash.js failing with code 1/);
    await ok(['unset', 'notify.smtp']);
  });

  it('reports a channel that keeps failing in show and notify status', async () => {
    rx.status = 500;
    for (let k = 0; k < 3; k += 1) {
      const r = await home.run(['notify', 'test', 'webhook'], { env });
      assert.equal(r.code, 1);
      assert.match(r.stdout, /webhook: failed: HTTP 500 Internal Server Error: broken/);
    }
    // The receiver keeps failing until both checks are done: a queued message retried meanwhile
    // would otherwise succeed and clear the failing state before `show` reads it.
    const show = await ok(['show', 'fatal']);
    assert.match(
      show.stdout,
      /Notifications not delivering:\n {2}webhook: failing, sent \d+, .*last error HTTP 500/,
    );
    const status = JSON.parse((await ok(['notify', 'status', '--json'])).stdout) as {
      channels: Array<{ channel: string; state: string }>;
    };
    assert.equal(status.channels.find((c) => c.channel === 'webhook')?.state, 'failing');
    rx.status = 200;
    assert.match((await ok(['notify', 'test', 'webhook'])).stdout, /webhook: ok/);
    // A retry that was in flight while the receiver failed may land after the test message.
    await waitFor(
      async () => !/Notifications not delivering/.test((await ok(['show', 'fatal'])).stdout),
      'show without "Notifications not delivering"',
    );
  });
});

describe('notifications: a receiver that is down', () => {
  const home = new Home();
  const rx = new Receiver(undefined);
  after(async () => {
    await home.cleanup();
    await rx.down();
  });

  it('says when the daemon recovered after being killed', async () => {
    await rx.up();
    await home.ok(['set', 'notify.webhook', rx.url]);
    await home.ok(['start', join(APPS, 'forever.js'), '--name', 'survivor']);
    const pid = home.daemonPid();
    assert.ok(pid);
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !existsSync(`/proc/${pid}`), 'the daemon to die', 5000);
    await home.ok(['ls']);
    const m = await waitFor(
      () => rx.of('daemon_recovered', 'survivor')[0],
      'a daemon_recovered message',
      5000,
    );
    assert.equal(m.json.reason, 'recovered after the previous daemon died');
  });

  it('retries with back-off and delivers once the receiver is back', async () => {
    await rx.down();
    await home.ok([
      'notify',
      'send',
      '--event',
      'deploy_rolled_back',
      '--app',
      'survivor',
      '--reason',
      'health gate failed',
    ]);
    await waitFor(
      async () => {
        const s = JSON.parse((await home.ok(['notify', 'status', '--json'])).stdout) as {
          channels: Array<{ failures: number; queued: number }>;
        };
        return (s.channels[0]?.failures ?? 0) >= 1 && s.channels[0]?.queued === 1;
      },
      'a failed attempt',
      5000,
    );
    assert.equal(statSync(join(home.dir, 'notify-queue.json')).mode & 0o777, 0o600);
    await rx.up();
    const m = await waitFor(() => rx.of('deploy_rolled_back', 'survivor')[0], 'the queued message', 8000);
    assert.equal(m.json.reason, 'health gate failed');
  });

  it('keeps a queued message across a daemon restart (steward kill, then any command)', async () => {
    await rx.down();
    await home.ok([
      'notify',
      'send',
      '--event',
      'reload_rolled_back',
      '--app',
      'survivor',
      '--reason',
      'new version never got ready',
    ]);
    await waitFor(
      () =>
        readFileSync(join(home.dir, 'notify-queue.json'), 'utf8').includes('reload_rolled_back')
          ? true
          : undefined,
      'the message in the queue file',
      3000,
    );
    await home.ok(['kill']);
    await rx.up();
    await home.ok(['notify', 'status']);
    await waitFor(() => rx.of('reload_rolled_back', 'survivor')[0], 'the message after the restart', 5000);
    // Delivered once: the job left the queue file when it was delivered.
    await waitFor(
      () => !readFileSync(join(home.dir, 'notify-queue.json'), 'utf8').includes('reload_rolled_back'),
      'the queue to empty',
      3000,
    );
    assert.equal(rx.of('reload_rolled_back', 'survivor').length, 1);
  });
});
