import { Cron } from 'croner';

/** `daily`, `hourly`, or a cron expression croner accepts (log rotation schedules). */
export function isValidInterval(v: string): boolean {
  if (v === 'daily' || v === 'hourly') return true;
  try {
    new Cron(v, { paused: true }).stop();
    return true;
  } catch {
    return false;
  }
}
