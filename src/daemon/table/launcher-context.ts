import type { AppConfig } from '../../config/app-config.js';
import type { Instance } from '../lifecycle/instance.js';
import type { StreamType } from '../logs/formatter.js';
import { InstanceOutput, rotationPolicy, type LogSettings } from '../logs/instance-output.js';
import type { LogFiles } from '../logs/log-files.js';
import { logPathsFor } from '../logs/log-paths.js';
import type { LauncherContext } from '../process/launcher.js';
import type { PipeMaker } from '../process/pipes.js';
import { splitAddress, type SocketBroker } from '../process/sockets.js';
import type { SpawnContext } from '../process/spawn-spec.js';

export interface LauncherDeps {
  spawn: SpawnContext;
  paths: { logs: string };
  now: () => number;
  log: (msg: string) => void;
  logs: LogFiles;
  pipes: PipeMaker;
  sockets: SocketBroker;
  logSettings: () => LogSettings;
  instance: (pmId: number) => Instance | undefined;
  onOutput?: (inst: Instance, type: StreamType, chunk: Buffer, at: number) => void;
  wantsOutput?: () => boolean;
}

/** What launching a process needs from the daemon: log files, the live bus, pipes, shared sockets. */
export function launcherContext(d: LauncherDeps): LauncherContext {
  return {
    spawn: d.spawn,
    now: d.now,
    log: d.log,
    pipe: () => d.pipes.pipe(),
    openOutput: (cfg: AppConfig, pmId: number) => {
      const bus = d.onOutput;
      const wants = d.wantsOutput;
      const inst = d.instance(pmId);
      // Live output for `steward logs` followers, only while someone follows.
      const sink =
        bus && wants && inst
          ? (type: StreamType, chunk: Buffer, at: number) => {
              if (wants()) bus(inst, type, chunk, at);
            }
          : undefined;
      return new InstanceOutput(
        d.logs,
        logPathsFor(cfg, pmId, d.paths.logs),
        cfg,
        pmId,
        rotationPolicy(cfg, d.logSettings()),
        sink,
        cfg.disable_logs,
      );
    },
    listenSockets: (cfg: AppConfig) =>
      Promise.all(
        cfg.listen.map((addr) => {
          const { host, port } = splitAddress(addr);
          return d.sockets.get(cfg.name, host, port);
        }),
      ),
    sharedSocket: (cfg: AppConfig, port: number, host: string | null) => d.sockets.get(cfg.name, host, port),
  };
}
