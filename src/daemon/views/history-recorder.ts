import type { Supervisor } from '../table/supervisor.js';
import { agentSample, FINE_MS, MetricsHistory } from './history.js';

/**
 * Fills the metrics history once a second from the sampler (shared with `ls`/`jlist`: a sample
 * younger than SAMPLE_REUSE_MS is reused, not taken again) and the agent's latest report.
 * Only running instances get points; a stopped one shows as a gap. It samples only while `wanted()`
 * (the web dashboard is on): a daemon nobody watches still does no sampling at all.
 */
const SAMPLE_REUSE_MS = 900;

export function startHistory(
  sup: Supervisor,
  wanted: () => boolean,
  now: () => number = Date.now,
): {
  history: MetricsHistory;
  stop(): void;
} {
  const history = new MetricsHistory();
  const tick = () => {
    if (!wanted()) return;
    const insts = sup.instances();
    const running = insts.filter((i) => i.pid > 0 && (i.status === 'online' || i.status === 'launching'));
    const pids = running.map((i) => i.pid);
    const at = now();
    if (at - sup.sampler.lastRun >= SAMPLE_REUSE_MS || !pids.every((p) => sup.sampler.has(p))) {
      sup.sampler.run(pids);
    }
    for (const i of running) {
      const u = sup.sampler.get(i.pid);
      history.record(i.pm_id, at, { cpu: u.cpu, memory: u.memory, ...agentSample(i.metrics) });
    }
    if (insts.length !== running.length || at % 60_000 < FINE_MS) {
      history.keepOnly(new Set(insts.map((i) => i.pm_id)));
    }
  };
  // STEWARD_HISTORY=0 turns the recorder off (bench/web.js measures what it costs).
  const timer = setInterval(tick, process.env.STEWARD_HISTORY === '0' ? 2 ** 31 - 1 : FINE_MS);
  timer.unref();
  return { history, stop: () => clearInterval(timer) };
}
