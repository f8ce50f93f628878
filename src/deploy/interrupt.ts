import { StewardError } from '../common/errors.js';

/**
 * Ctrl-C (or SIGTERM) during a deploy: the first one lets each host finish its current step and then
 * undo what it started (a prepared release is removed, a switched one rolled back, the lock
 * released), and skips hosts not started; a second one quits at once. Without this, an interrupted
 * deploy would leave the lock behind and maybe a half-checked release live.
 */
export class Interrupt {
  private asked = false;
  private readonly onSignal = () => {
    if (this.asked) process.exit(130);
    this.asked = true;
    this.notice();
  };

  constructor(private readonly notice: () => void) {}

  get requested(): boolean {
    return this.asked;
  }

  install(): void {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  uninstall(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }

  /** Throws the "interrupted" error for a host once a signal came. */
  check(label: string): void {
    if (this.asked) throw interrupted(label);
  }
}

export function interrupted(label: string): StewardError {
  return new StewardError('E_DEPLOY', `${label}: interrupted`, {
    hint: 'deploy again when ready; what this host had started was undone',
  });
}
