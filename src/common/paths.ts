import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Everything Steward keeps for one home. One daemon serves one home. */
export interface HomePaths {
  home: string;
  socket: string;
  pidFile: string;
  daemonLog: string;
  logs: string;
  pids: string;
  dump: string;
  dumpBak: string;
  state: string;
  settings: string;
}

export function resolveHome(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.STEWARD_HOME;
  if (fromEnv && fromEnv.trim() !== '') return resolve(fromEnv);
  return join(homedir(), '.steward');
}

export function homePaths(home: string = resolveHome()): HomePaths {
  return {
    home,
    socket: join(home, 'daemon.sock'),
    pidFile: join(home, 'daemon.pid'),
    daemonLog: join(home, 'daemon.log'),
    logs: join(home, 'logs'),
    pids: join(home, 'pids'),
    dump: join(home, 'dump.json'),
    dumpBak: join(home, 'dump.json.bak'),
    state: join(home, 'state.json'),
    settings: join(home, 'settings.json'),
  };
}

/** Unix socket paths are limited to 107 bytes on Linux. */
export const MAX_SOCKET_PATH = 107;
