import { shellQuote } from '../ssh/command.js';
import { acquireLock, releaseLock, type LockOwner } from './lock.js';
import { prelude } from './prelude.js';
import { displayRepo, type DeploySection } from './section.js';

/**
 * The remote steps of a deploy as bash scripts, pure functions of the section (unit-tested as text,
 * run for real by the end-to-end tests). Layout on a host:
 *
 *   path/source/              git mirror (cloned once by setup, fetched by every update)
 *   path/releases/<R>/        one exported tree per update (<R> = <UTC time>-<short sha>),
 *                             with .steward-release (ref, sha, time, by)
 *   path/shared/              shared_dirs and shared_files, symlinked into every release
 *   path/current -> releases/<R>   switched atomically (a new symlink renamed over the old one)
 *   path/logs/<R>.log         what each deploy of <R> printed on the host
 *   path/.deploy-lock/        held while a deploy or revert runs (lock.ts)
 */
export interface PlanInput {
  section: DeploySection;
  /** The ecosystem file's name inside the repository (the local file's base name). */
  fileName: string;
  owner: LockOwner;
}

const q = shellQuote;

function head(input: PlanInput): string {
  return prelude({ path: input.section.path, env: input.section.env });
}

/** `steward startOrReload <file> --env <env>`: how a release's apps are (re)loaded. */
export function reloadCommand(input: PlanInput): string {
  return `steward startOrReload ${q(input.fileName)} --env ${q(input.section.envName)}`;
}

/** PM2's default post-deploy, with Steward's reload: install production dependencies, reload. */
export function postDeployCommand(input: PlanInput): string {
  const custom = input.section.hooks['post-deploy'];
  if (custom !== undefined) return custom;
  return (
    'if [ -f package-lock.json ] || [ -f npm-shrinkwrap.json ]; then npm ci --omit=dev; ' +
    'elif [ -f package.json ]; then npm install --omit=dev; fi && ' +
    reloadCommand(input)
  );
}

/** Appends everything the step prints to the release's log on the host. */
function logTo(name: string): string {
  return `mkdir -p "$P/logs" && exec > >(tee -a "$P/logs/"${name}.log) 2>&1`;
}

/** Points `current` at a release: a new symlink renamed over the old one, so never missing. */
function switchTo(name: string): string {
  return `ln -sfn releases/${name} "$P/.current.tmp.$$" && mv -T "$P/.current.tmp.$$" "$P/current" || fail switch`;
}

const CURRENT = 'CUR=$(readlink "$P/current" 2>/dev/null); CUR=${CUR##*/}';
const GIT_OK = 'command -v git >/dev/null 2>&1 || fail nogit';

/** `setup`: the directories, the shared files and the mirror; running it again only fetches. */
export function setupScript(input: PlanInput): string {
  const s = input.section;
  const hooks = s.hooks;
  const lines = [
    head(input),
    GIT_OK,
    'mkdir -p "$P" 2>/dev/null; { [ -d "$P" ] && [ -w "$P" ]; } || fail unwritable "$P"',
  ];
  if (hooks['pre-setup']) lines.push(`run_hook pre-setup "$P" ${q(hooks['pre-setup'])}`);
  lines.push('mkdir -p "$P/releases" "$P/shared" "$P/logs" || fail unwritable "$P"');
  for (const d of s.sharedDirs) lines.push(`mkdir -p "$P/shared/"${q(d)}`);
  for (const f of s.sharedFiles) {
    // A shared file is made empty and private once; its content is the operator's.
    lines.push(`mkdir -p "$(dirname "$P/shared/"${q(f)})"`);
    lines.push(`[ -e "$P/shared/"${q(f)} ] || (umask 077 && : > "$P/shared/"${q(f)})`);
  }
  lines.push(
    'if [ -d "$P/source" ]; then',
    '  echo "$P/source exists: fetching"',
    `  git -C "$P/source" remote set-url origin ${q(s.repo)}`,
    '  out=$(git -C "$P/source" fetch --prune --quiet 2>&1) || fail fetch "$(printf %s "$out" | tail -n1)"',
    'else',
    `  echo "cloning "${q(displayRepo(s.repo))}" into $P/source"`,
    '  rm -rf "$P/source.tmp"',
    `  out=$(git clone --mirror --quiet ${q(s.repo)} "$P/source.tmp" 2>&1) || ` +
      '{ rm -rf "$P/source.tmp"; fail clone "$(printf %s "$out" | tail -n1)"; }',
    '  mv "$P/source.tmp" "$P/source"',
    'fi',
  );
  if (hooks['post-setup']) lines.push(`run_hook post-setup "$P" ${q(hooks['post-setup'])}`);
  lines.push('mark setup-done');
  return lines.join('\n') + '\n';
}

/**
 * `update`, first half: lock, fetch, resolve the ref, export it into a new release, link the shared
 * files, run pre-deploy in it. Nothing live has changed yet; any failure removes the release and
 * the lock. Reports `release <name> <sha>` and `prev <name>`.
 */
export function prepareScript(input: PlanInput, ref: string, stamp: string): string {
  const s = input.section;
  const lines = [
    head(input),
    GIT_OK,
    'need_steward',
    '[ -d "$P/source" ] || { [ -d "$P" ] && [ ! -w "$P" ] && fail unwritable "$P"; fail notsetup; }',
    '{ [ -w "$P" ] && [ -w "$P/releases" ]; } || fail unwritable "$P"',
    acquireLock(input.owner),
    `ON_FAIL=${q(releaseLock(input.owner))}`,
    `git -C "$P/source" remote set-url origin ${q(s.repo)}`,
    'out=$(git -C "$P/source" fetch --prune --quiet 2>&1) || fail fetch "$(printf %s "$out" | tail -n1)"',
    `SHA=$(git -C "$P/source" rev-parse --verify --quiet ${q(`${ref}^{commit}`)}) || fail badref ${q(ref)}`,
    `NAME=${q(stamp)}-\${SHA:0:7}`,
    '[ -e "$P/releases/$NAME" ] && NAME="$NAME-$$"',
    'REL="$P/releases/$NAME"',
    `ON_FAIL=${q(`rm -rf "$REL"; ${releaseLock(input.owner)}`)}`,
    logTo('"$NAME"'),
    CURRENT,
    'mark release "$NAME" "$SHA"',
    'mark prev "$CUR"',
    `echo "--> release $NAME: ${ref.replace(/["$`\\]/g, '')} at $SHA"`,
    'mkdir "$REL" || fail unwritable "$P/releases"',
    'git -C "$P/source" archive --format=tar "$SHA" | tar -x -C "$REL" || fail export',
    `printf 'ref=%s\\nsha=%s\\ntime=%s\\nby=%s\\n' ${q(ref)} "$SHA" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" ` +
      `${q(input.owner.description.split(' ')[0] ?? '')} > "$REL/.steward-release"`,
  ];
  for (const p of [...s.sharedDirs, ...s.sharedFiles]) {
    // The repository's own copy (if any) gives way to the shared one.
    lines.push(
      `rm -rf "$REL/"${q(p)} && mkdir -p "$(dirname "$REL/"${q(p)})" && ln -s "$P/shared/"${q(p)} "$REL/"${q(p)} || fail shared ${q(p)}`,
    );
  }
  if (s.hooks['pre-deploy']) lines.push(`run_hook pre-deploy "$REL" ${q(s.hooks['pre-deploy'])}`);
  lines.push('mark prepared "$NAME"');
  return lines.join('\n') + '\n';
}

/** `update`, second half: switch `current` to the release and run post-deploy from it. */
export function switchScript(input: PlanInput, name: string): string {
  return [
    head(input),
    logTo(q(name)),
    switchTo(q(name)),
    `mark switched ${q(name)}`,
    `run_hook post-deploy "$P/current" ${q(postDeployCommand(input))}`,
    'mark post-deploy-done',
  ].join('\n');
}

/** The remote daemon's process list (what the health check reads; never printed: it holds env). */
export function jlistScript(input: PlanInput): string {
  return [head(input), 'need_steward', 'steward jlist'].join('\n');
}

/** The last error lines of an app, for a failed health check. */
export function errorLogsScript(input: PlanInput, app: string, lines: number): string {
  return [head(input), `steward logs ${q(app)} --lines ${lines} --nostream --err --raw`].join('\n');
}

/**
 * Undo a failed update: `current` back to the previous release, which is reloaded; the failed
 * release is removed (its log stays). With no previous release, the failed one's apps are deleted.
 */
export function rollbackScript(input: PlanInput, failed: string, previous: string | undefined): string {
  const lines = [head(input), logTo(q(failed)), `ON_FAIL=${q(releaseLock(input.owner))}`];
  if (previous) {
    lines.push(
      switchTo(q(previous)),
      `mark switched ${q(previous)}`,
      `echo "--> rolled back: current is ${previous} again; reloading it"`,
      `( cd "$P/current" && ${reloadCommand(input)} ) || fail reload`,
    );
  } else {
    lines.push(
      'rm -f "$P/current"',
      'echo "--> no previous release: deleting the apps of the failed one"',
      `( cd "$P/releases/"${q(failed)} && steward delete ${q(input.fileName)} ) || true`,
    );
  }
  // The host's notification channels hear about it (docs/notifications.md); a steward there without
  // notifications, or with none configured, changes nothing.
  const reason = `release ${failed} failed; ${previous ? `current is ${previous} again` : 'no previous release'}`;
  lines.push(
    `steward notify send --event deploy_rolled_back --app ${q(input.fileName)} --reason ${q(reason)} >/dev/null 2>&1 || true`,
  );
  lines.push(`rm -rf "$P/releases/"${q(failed)}`, releaseLock(input.owner), 'mark rolled-back');
  return lines.join('\n') + '\n';
}

/** Undoes a prepared release that was never switched to (an interrupted deploy): it and the lock go. */
export function abortScript(input: PlanInput, name: string): string {
  return [
    head(input),
    logTo(q(name)),
    'echo "--> interrupted: removing the release"',
    `rm -rf "$P/releases/"${q(name)}`,
    releaseLock(input.owner),
  ].join('\n');
}

/** After a healthy update: prune old releases (never the live one) and their logs, unlock. */
export function finishScript(input: PlanInput): string {
  const keep = input.section.keepReleases;
  return [
    head(input),
    CURRENT,
    'n=0',
    'for d in $(ls -1 "$P/releases" | sort -r); do',
    '  n=$((n+1))',
    `  if [ "$n" -gt ${keep} ] && [ "$d" != "$CUR" ]; then rm -rf "$P/releases/$d"; echo "--> pruned release $d"; fi`,
    'done',
    'n=0',
    'for f in $(ls -1 "$P/logs" | sort -r); do',
    '  n=$((n+1))',
    `  [ "$n" -gt ${keep * 2} ] && [ ! -d "$P/releases/\${f%.log}" ] && rm -f "$P/logs/$f"`,
    'done',
    releaseLock(input.owner),
    'mark finished',
  ].join('\n');
}

/** `revert [n]`: `current` to the n-th release before it, reload; no fetch, no build. */
export function revertScript(input: PlanInput, n: number): string {
  return [
    head(input),
    '[ -d "$P/releases" ] || fail notsetup',
    'need_steward',
    acquireLock(input.owner),
    `ON_FAIL=${q(releaseLock(input.owner))}`,
    CURRENT,
    'set -- $(ls -1 "$P/releases" | sort)',
    'i=0; at=0',
    'for r in "$@"; do i=$((i+1)); [ "$r" = "$CUR" ] && at=$i; done',
    '[ "$at" -gt 0 ] || fail nocurrent',
    `want=$((at-${n}))`,
    `[ "$want" -ge 1 ] || fail norelease ${n} "$((at-1))"`,
    'TARGET=${!want}',
    logTo('"$TARGET"'),
    'mark prev "$CUR"',
    'ln -sfn "releases/$TARGET" "$P/.current.tmp.$$" && mv -T "$P/.current.tmp.$$" "$P/current" || fail switch',
    'mark switched "$TARGET"',
    'echo "--> current is $TARGET (was $CUR); reloading"',
    `( cd "$P/current" && ${reloadCommand(input)} ) || fail reload`,
    releaseLock(input.owner),
    'mark reverted "$TARGET"',
  ].join('\n');
}

/** `list`, `curr`, `prev`: one `rel` marker per release (name, ref, sha, time, live). */
export function listScript(input: PlanInput): string {
  return [
    head(input),
    '[ -d "$P/releases" ] || fail notsetup',
    CURRENT,
    'for r in $(ls -1 "$P/releases" | sort); do',
    '  m="$P/releases/$r/.steward-release"',
    '  live=; [ "$r" = "$CUR" ] && live=live',
    '  mark rel "$r" "$(sed -n "s/^ref=//p" "$m" 2>/dev/null)" "$(sed -n "s/^sha=//p" "$m" 2>/dev/null)" ' +
      '"$(sed -n "s/^time=//p" "$m" 2>/dev/null)" "$live"',
    'done',
  ].join('\n');
}

/** `exec "<cmd>"`: a command in `current` on every host. */
export function execScript(input: PlanInput, command: string): string {
  return [
    head(input),
    '[ -d "$P/current" ] || fail nocurrent',
    `run_hook exec "$P/current" ${q(command)}`,
  ].join('\n');
}
