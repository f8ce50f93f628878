import { Command, CommanderError } from 'commander';
import { isStewardError, messageOf } from '../common/errors.js';
import { stewardVersion } from '../common/version.js';
import { runtime, type RuntimeOptions } from './runtime.js';

const err = (s: string) => process.stderr.write(s);

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const dd = argv.indexOf('--');
  const own = dd >= 0 ? argv.slice(0, dd) : argv;
  const scriptArgs = dd >= 0 ? argv.slice(dd + 1) : [];
  const program = new Command('steward-runtime')
    .description('Run apps in the foreground, for containers (PID 1 material)')
    .version(stewardVersion(), '-v, --version')
    .exitOverride()
    .showSuggestionAfterError(true);
  let code = 0;
  program
    .command('start', { isDefault: true })
    .argument('<target>', 'an ecosystem file, a script or a command')
    .option('--env <name>', 'apply env_<name> of the file')
    .option('--only <names>', 'only these apps of the file')
    .option('-i, --instances <n>', 'instances of every app')
    .option('--raw', 'output lines without the app name')
    .option('--json', 'one JSON object per output line')
    .option('--no-auto-exit', 'keep running when every app has stopped')
    .action(async (target: string, opts: RuntimeOptions) => {
      code = await runtime(target, scriptArgs, opts);
    });
  try {
    await program.parseAsync(own, { from: 'user' });
  } catch (e) {
    if (e instanceof CommanderError) code = e.exitCode === 0 ? 0 : 2;
    else if (isStewardError(e)) {
      err(
        `[steward-runtime] error: ${e.message.split('\n').join('\n[steward-runtime] error: ')}${e.hint ? ` (${e.hint})` : ''}\n`,
      );
      code = e.exitCode;
    } else {
      err(`[steward-runtime] internal error: ${messageOf(e)}\n`);
      code = 1;
    }
  }
  process.exit(code);
}

void main();
