import { StewardError } from '../common/errors.js';
import {
  checkHealth,
  markerValue,
  showFailure,
  step,
  type HostContext,
  type HostReport,
} from './host-context.js';
import { execScript, listScript, revertScript, setupScript } from './plan.js';
import { failureOf } from './remote-errors.js';

/** `setup` on one host. */
export async function setupHost(h: HostContext): Promise<HostReport> {
  await step(h, setupScript(h.plan), 'setup');
  h.out.say(h.label, `set up ${h.plan.section.path}`);
  return { note: 'set up' };
}

/** `revert [n]` on one host: switch back n releases, reload, then the same health gate as update. */
export async function revertHost(h: HostContext, n: number): Promise<HostReport> {
  const r = await step(h, revertScript(h.plan, n), 'revert');
  const target = markerValue(r, 'reverted') ?? '?';
  h.out.say(h.label, `current is ${target} (was ${markerValue(r, 'prev') ?? '?'})`);
  const verdict = await checkHealth(h);
  if (verdict.kind === 'failed') {
    await showFailure(h, verdict);
    throw new StewardError(
      'E_DEPLOY',
      `${h.label}: after the revert, ${verdict.app} failed the health check: ${verdict.why}`,
      {
        hint: 'its status and last error lines are above',
      },
    );
  }
  return { release: target };
}

/** `exec "<cmd>"` on one host, in `current`. */
export async function execHost(h: HostContext, command: string): Promise<HostReport> {
  await step(h, execScript(h.plan, command), 'exec');
  return { note: 'done' };
}

export interface ReleaseRow {
  name: string;
  ref: string;
  sha: string;
  time: string;
  live: boolean;
}

/** The releases on one host, oldest first. */
export async function listHost(h: HostContext): Promise<ReleaseRow[]> {
  const r = await h.session.run(listScript(h.plan));
  const failed = failureOf(h.label, h.plan.section, r.markers);
  if (failed) throw failed;
  return r.markers
    .filter((m) => m.kind === 'rel')
    .map((m) => {
      const [name = '', ref = '', sha = '', time = '', live = ''] = m.fields;
      return { name, ref, sha, time, live: live === 'live' };
    });
}
