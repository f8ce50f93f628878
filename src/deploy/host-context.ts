import { StewardError, messageOf } from '../common/errors.js';
import { parseJlist, waitHealthy, type Outcome, type Verdict } from './health.js';
import type { HostSession, StepResult } from './host-session.js';
import type { Interrupt } from './interrupt.js';
import type { DeployOutput } from './output.js';
import { errorLogsScript, jlistScript, type PlanInput } from './plan.js';
import { failureOf } from './remote-errors.js';

/** What a per-host operation works with. */
export interface HostContext {
  label: string;
  session: HostSession;
  plan: PlanInput;
  /** The apps of the ecosystem file (what the health check waits for). */
  apps: string[];
  out: DeployOutput;
  interrupt: Interrupt;
}

/** What a host's operation reports for the summary. */
export interface HostReport {
  release?: string;
  note?: string;
}

/** The first value of a marker kind. */
export function markerValue(r: StepResult, kind: string): string | undefined {
  return r.markers.find((m) => m.kind === kind)?.fields[0];
}

/** Runs a step; a `fail` marker or a non-zero exit is an error naming the host. */
export async function step(h: HostContext, script: string, what: string): Promise<StepResult> {
  const r = await h.session.run(script);
  const failed = failureOf(h.label, h.plan.section, r.markers);
  if (failed) throw failed;
  if (r.code !== 0)
    throw new StewardError('E_DEPLOY', `${h.label}: ${what} failed (exit ${r.code})`, {
      hint: 'its output is above',
    });
  return r;
}

/** The health gate (health.ts) against the host's own steward, through the same connection. */
export async function checkHealth(h: HostContext): Promise<Outcome> {
  const s = h.plan.section;
  h.out.say(h.label, `health check: ${h.apps.join(', ')} online for ${s.healthWindowMs / 1000} s`);
  return waitHealthy({
    apps: h.apps,
    windowMs: s.healthWindowMs,
    timeoutMs: s.healthTimeoutMs,
    snapshot: async () => {
      h.interrupt.check(h.label);
      const r = await h.session.run(jlistScript(h.plan), { capture: true });
      const failed = failureOf(h.label, s, r.markers);
      if (failed) throw failed;
      if (r.code !== 0)
        throw new StewardError('E_DEPLOY', `${h.label}: steward jlist failed (exit ${r.code})`, {
          hint: 'its output is above',
        });
      try {
        return parseJlist(r.stdout);
      } catch (e) {
        throw new StewardError(
          'E_DEPLOY',
          `${h.label}: cannot read the host's process list: ${messageOf(e)}`,
          {
            hint: 'run `steward jlist` on the host; its login profile must not print to stdout',
          },
        );
      }
    },
  });
}

/** Prints why an app failed the health check, and its last error lines. */
export async function showFailure(h: HostContext, v: Extract<Verdict, { kind: 'failed' }>): Promise<void> {
  h.out.say(
    h.label,
    `${v.app} failed the health check: ${v.why} (status ${v.status}); its last error lines:`,
  );
  if (v.status === 'missing') return;
  const logs = await h.session.run(errorLogsScript(h.plan, v.app, 15), { capture: true });
  for (const line of logs.stdout.trimEnd().split('\n')) if (line) h.out.host(h.label, `  ${line}`, 'err');
}
