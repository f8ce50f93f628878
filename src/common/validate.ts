import * as v from 'valibot';

/** The first problem of a failed validation as `path: message` (`apps.0.instances: Invalid type…`). */
export function firstIssue(issues: readonly v.BaseIssue<unknown>[], root = '(root)'): string {
  const issue = issues[0];
  if (!issue) return `${root}: invalid`;
  const path = v.getDotPath(issue);
  return `${path ?? root}: ${issue.message}`;
}
