import { StewardError } from '../common/errors.js';
import { isConfigFile } from '../config/ecosystem-load.js';
import type { DeployCommand } from './deploy.js';

/**
 * PM2's command line: `deploy [file] <env> [setup|update|revert [n]|curr|prev|list|exec "<cmd>"|<ref>]`.
 * The first word is the file when it looks like an ecosystem file (as PM2 decides); no
 * sub-command is `update`; any other word is a ref to update to.
 */
export interface DeployArgs {
  file: string | undefined;
  envName: string;
  command: DeployCommand;
}

const usage = (message: string) =>
  new StewardError('E_USAGE', message, {
    hint: 'steward deploy [file] <env> [setup|update|revert [n]|curr|prev|list|exec "<cmd>"|<ref>]',
  });

export function parseDeployArgs(words: string[]): DeployArgs {
  const rest = [...words];
  const file = rest[0] !== undefined && isConfigFile(rest[0]) ? rest.shift() : undefined;
  const envName = rest.shift();
  if (envName === undefined) throw usage('deploy: which environment? (the name of a deploy section)');
  const sub = rest.shift();
  const extra = () => {
    if (rest.length > 0) throw usage(`deploy: unexpected ${JSON.stringify(rest.join(' '))} after ${sub}`);
  };
  let command: DeployCommand;
  switch (sub) {
    case undefined:
    case 'update':
      extra();
      command = { kind: 'update' };
      break;
    case 'setup':
      extra();
      command = { kind: 'setup' };
      break;
    case 'revert': {
      const n = rest.length > 0 ? Number(rest.shift()) : 1;
      if (!Number.isInteger(n) || n < 1) throw usage('deploy: revert takes a number of releases ≥ 1');
      extra();
      command = { kind: 'revert', n };
      break;
    }
    case 'curr':
    case 'current':
      extra();
      command = { kind: 'curr' };
      break;
    case 'prev':
    case 'previous':
      extra();
      command = { kind: 'prev' };
      break;
    case 'list':
      extra();
      command = { kind: 'list' };
      break;
    case 'exec':
    case 'run':
      if (rest.length === 0) throw usage('deploy: exec needs a command, e.g. exec "ls -la"');
      command = { kind: 'exec', command: rest.splice(0).join(' ') };
      break;
    default:
      extra();
      command = { kind: 'update', ref: sub };
  }
  return { file, envName, command };
}
