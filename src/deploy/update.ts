import { StewardError, isStewardError, messageOf } from '../common/errors.js';
import {
  checkHealth,
  markerValue,
  showFailure,
  step,
  type HostContext,
  type HostReport,
} from './host-context.js';
import { interrupted } from './interrupt.js';
import { abortScript, prepareScript, rollbackScript, finishScript, switchScript } from './plan.js';
import { failureOf } from './remote-errors.js';

/**
 * `update` on one host: prepare a release (nothing live changes; a failure there cleans up), switch
 * `current` and run post-deploy, then the health gate. A failed post-deploy or health check
 * switches `current` back, reloads the previous release, and fails naming the app and why.
 */
export async function updateHost(h: HostContext, ref: string, stamp: string): Promise<HostReport> {
  const prepared = await step(h, prepareScript(h.plan, ref, stamp), 'preparing the release');
  const name = markerValue(prepared, 'release');
  const sha = prepared.markers.find((m) => m.kind === 'release')?.fields[1] ?? '';
  const previous = markerValue(prepared, 'prev') || undefined;
  if (!name)
    throw new StewardError('E_DEPLOY', `${h.label}: the host named no release`, {
      hint: 'see its output above',
    });
  h.out.say(h.label, `release ${name} (${ref} at ${sha.slice(0, 12)}), previous ${previous ?? 'none'}`);
  if (h.interrupt.requested) {
    await step(h, abortScript(h.plan, name), 'removing the release');
    throw interrupted(h.label);
  }

  let failure: StewardError | undefined;
  try {
    failure = await switchAndCheck(h, name);
  } catch (e) {
    // The connection dropped or the host answered nonsense after the switch: still try to go back.
    failure = isStewardError(e)
      ? e
      : new StewardError('E_DEPLOY', `${h.label}: ${messageOf(e)}`, { hint: 'see the output above' });
  }
  if (failure) {
    const back = await rollBack(h, name, previous);
    throw new StewardError('E_DEPLOY', `${failure.message}; ${back}`, { hint: failure.hint });
  }
  await step(h, finishScript(h.plan), 'finishing');
  h.out.say(h.label, `live: ${name}`);
  return { release: name };
}

/** Switches to the release, runs post-deploy, then the health gate: the failure, if any. */
async function switchAndCheck(h: HostContext, name: string): Promise<StewardError | undefined> {
  const switched = await h.session.run(switchScript(h.plan, name));
  const failed = failureOf(h.label, h.plan.section, switched.markers);
  if (failed) return failed;
  if (switched.code !== 0)
    return new StewardError('E_DEPLOY', `${h.label}: post-deploy failed (exit ${switched.code})`, {
      hint: 'its output is above',
    });
  if (h.interrupt.requested) return interrupted(h.label);
  const verdict = await checkHealth(h);
  if (verdict.kind === 'healthy') return undefined;
  await showFailure(h, verdict);
  return new StewardError('E_DEPLOY', `${h.label}: ${verdict.app} failed the health check: ${verdict.why}`, {
    hint: 'its status and last error lines are above; fix the release and deploy again',
  });
}

/** Puts the previous release back; says how that went, for the deploy's error. */
async function rollBack(h: HostContext, failed: string, previous: string | undefined): Promise<string> {
  h.out.say(h.label, previous ? `rolling back to ${previous}` : 'rolling back (no previous release)');
  try {
    await step(h, rollbackScript(h.plan, failed, previous), 'rolling back');
    const done = previous
      ? `rolled back to ${previous}`
      : 'rolled back (no previous release: its apps were deleted)';
    h.out.say(h.label, done);
    return done;
  } catch (e) {
    const why = messageOf(e).replace(`${h.label}: `, '');
    h.out.say(h.label, `the rollback failed too: ${why}`);
    return `the rollback failed too: ${why}`;
  }
}
