import { StewardError } from '../common/errors.js';
import type { Marker } from './host-session.js';
import { LOCK_DIR } from './lock.js';
import { displayRepo, type DeploySection } from './section.js';

/**
 * A remote step's `fail` marker as one StewardError line naming the host, the problem and the fix.
 * `host` is the label used in the output prefix.
 */
export function remoteFailure(host: string, section: DeploySection, m: Marker): StewardError {
  const [a = '', b = ''] = m.fields;
  const e = (message: string, hint: string) => new StewardError('E_DEPLOY', `${host}: ${message}`, { hint });
  const path = section.path;
  // A `fail` marker's fields: the reason's code, then its details.
  switch (a) {
    case 'unwritable':
      return e(
        `${b || path} is not writable by the deploy user`,
        `on the host: sudo mkdir -p ${path} && sudo chown <deploy user> ${path}`,
      );
    case 'notsetup':
      return e(`${path} is not set up`, `run: steward deploy ${section.envName} setup`);
    case 'locked':
      return e(
        `another deploy holds the lock: ${b}`,
        `wait for it to finish; if it died, remove ${path}/${LOCK_DIR} on the host`,
      );
    case 'badref':
      return e(
        `ref "${b}" is not in ${displayRepo(section.repo)}`,
        'give a branch, tag or commit of the repository',
      );
    case 'clone':
    case 'fetch':
      return e(
        `git ${a} of ${displayRepo(section.repo)} failed: ${b}`,
        'check the repo URL and that the host can reach it (its own SSH key or a deploy key)',
      );
    case 'hook':
      return e(
        `the ${b} hook failed (exit ${m.fields[2] ?? '?'})`,
        'its output is above; fix the hook and deploy again',
      );
    case 'nogit':
      return e('git is not installed', 'install git on the host (e.g. apt-get install git)');
    case 'nosteward':
      return b
        ? e(`STEWARD_BIN=${b} is not an executable on the host`, 'point STEWARD_BIN at the steward command')
        : e(
            'steward is not on the login PATH',
            'install it on the host (npm install -g steward), or set STEWARD_BIN in the deploy env or the login profile',
          );
    case 'nocurrent':
      return e(`${path}/current names no release`, `deploy first: steward deploy ${section.envName}`);
    case 'norelease':
      return e(
        `cannot go back ${b} release(s): only ${m.fields[2] ?? '0'} before the live one`,
        `see them with: steward deploy ${section.envName} list`,
      );
    case 'reload':
      return e('the release was switched but reloading its apps failed', 'its output is above');
    case 'switch':
      return e(`could not switch ${path}/current`, 'check the permissions of the deploy directory');
    case 'export':
      return e('exporting the ref into a new release failed', 'check the free disk space on the host');
    case 'shared':
      return e(`could not link the shared path ${b}`, 'check shared_dirs and shared_files');
    default:
      return e(`a deploy step failed (${m.fields.join(' ')})`, 'its output is above');
  }
}

/** The first `fail` marker of a step, as an error (undefined when the step did not fail so). */
export function failureOf(host: string, section: DeploySection, markers: Marker[]): StewardError | undefined {
  const m = markers.find((x) => x.kind === 'fail');
  return m ? remoteFailure(host, section, m) : undefined;
}
