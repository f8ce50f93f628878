/** How a client reaches a daemon on another host (docs/remote.md). Kept free of runtime imports. */
export interface RemoteOptions {
  /** An ssh_config file (ssh's `-F`). */
  sshConfig?: string | undefined;
  /** A private key file (ssh's `-i`). */
  identity?: string | undefined;
  /** Extra ssh `-o` options ("Key=value"). */
  sshOptions?: readonly string[] | undefined;
  /** The remote `steward` (default: STEWARD_BIN on the remote host, else `steward` on its login PATH). */
  bin?: string | undefined;
  /** STEWARD_HOME on the remote host (default: the remote user's own, ~/.steward). */
  home?: string | undefined;
  /** Seconds before giving up on an unreachable host (default 10). */
  connectTimeout?: number | undefined;
}

/** Who answered on the remote side: `steward dial-stdio`'s first line (see preamble.ts). */
export interface RemoteSide {
  /** The host as the user named it (`user@host:port`), for messages and the host column. */
  host: string;
  version: string;
  protocol: number;
  /** STEWARD_HOME of the remote daemon. */
  home: string;
  /** The remote login shell's working directory (the user's home there): base of relative paths. */
  cwd: string;
  /** True when dial-stdio had to start the remote daemon. */
  started: boolean;
}
