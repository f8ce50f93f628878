import YAML from 'yaml';
import type { AppConfig } from '../config/app-config.js';
import { COMMON_RULES } from './common-rules.js';
import {
  appPorts,
  commandLine,
  fiveFieldCron,
  fleetInstances,
  header,
  isCronJob,
  loopbackProbeNote,
  seconds,
  splitEnv,
  withIgnored,
  type ExportApp,
  type ExportOptions,
  type ExportResult,
  type MappingTable,
} from './mapping.js';

/** A Kubernetes object as plain data (validated against the OpenAPI schemas in the tests). */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string } & Record<string, unknown>;
} & Record<string, unknown>;

export const KUBERNETES_RULES: MappingTable = withIgnored({
  ...COMMON_RULES,
  namespace: { to: 'label app.kubernetes.io/part-of (the Kubernetes namespace is kubectl’s -n)' },
  cwd: { to: 'workingDir of the container' },
  exec_mode: {
    to: 'one process per pod: cluster mode becomes replicas (--runtime: kept inside one pod)',
  },
  instances: {
    to: 'replicas of the Deployment ("max": --max-instances, default 1; --runtime: processes in one pod)',
  },
  instance_var: {
    none: 'pods of a Deployment have no index (a StatefulSet would); NODE_APP_INSTANCE is not set',
  },
  increment_var: { none: 'pods of a Deployment have no index; every pod gets the same value' },
  autorestart: { to: 'a Deployment always restarts; false with cron_restart makes a CronJob' },
  autostart: { to: 'false: replicas 0' },
  stop_exit_codes: { none: 'a Deployment restarts a container whatever its exit code' },
  restart_delay: { none: 'the kubelet’s back-off (10 s doubling to 5 min) is fixed' },
  exp_backoff_restart_delay: { none: 'the kubelet’s back-off (10 s doubling to 5 min) is fixed' },
  restart_limit: { none: 'the kubelet restarts forever (CrashLoopBackOff); no give-up limit' },
  restart_limit_window: { none: 'the kubelet restarts forever (CrashLoopBackOff); no give-up limit' },
  kill_timeout: { to: 'terminationGracePeriodSeconds' },
  kill_signal: { to: 'a preStop hook sending the signal (SIGTERM follows); or STOPSIGNAL in the image' },
  treekill: { to: 'always: the container’s processes all end with it' },
  uid: { to: 'securityContext.runAsUser' },
  gid: { to: 'securityContext.runAsGroup' },
  out_file: { none: 'container output goes to the kubelet’s log (kubectl logs)' },
  error_file: { none: 'container output goes to the kubelet’s log (kubectl logs)' },
  log_file: { none: 'container output goes to the kubelet’s log (kubectl logs)' },
  disable_logs: { none: 'container output goes to the kubelet’s log (kubectl logs)' },
  listen: { to: 'containerPort and a Service (the app must bind it itself: no fd passing; or --runtime)' },
  ready_probe: { to: 'readinessProbe (httpGet or tcpSocket)' },
  health_check: { to: 'livenessProbe (httpGet, tcpSocket or exec)' },
  max_memory_restart: { to: 'resources.limits.memory (the kernel kills the container past it)' },
  cron_restart: { to: 'a CronJob for a cron app (autorestart: false)' },
  port: { to: 'PORT in the environment, containerPort and a Service' },
});

/** A DNS-1123 label from an app name. */
export function k8sName(s: string): string {
  const n = s
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return n || 'app';
}

function labels(c: AppConfig): Record<string, string> {
  return {
    'app.kubernetes.io/name': k8sName(c.name),
    'app.kubernetes.io/part-of': k8sName(c.namespace),
    'app.kubernetes.io/managed-by': 'steward-export',
  };
}

/** An http:// or tcp:// probe target as a Kubernetes probe handler. */
function probeHandler(url: string): Record<string, unknown> | undefined {
  const m = /^(http|tcp):\/\/(?:\[[^\]]*\]|[^/:]*)?:(\d+)(\/.*)?$/.exec(url);
  if (!m) return undefined;
  const port = Number(m[2]);
  return m[1] === 'http' ? { httpGet: { path: m[3] ?? '/', port } } : { tcpSocket: { port } };
}

function livenessProbe(c: AppConfig): Record<string, unknown> | undefined {
  const h = c.health;
  if (!h) return undefined;
  const handler =
    h.type === 'command'
      ? { exec: { command: ['/bin/sh', '-c', h.target] } }
      : probeHandler(h.type === 'tcp' && !h.target.startsWith('tcp://') ? `tcp://${h.target}` : h.target);
  if (!handler) return undefined;
  return {
    ...handler,
    periodSeconds: seconds(h.interval),
    timeoutSeconds: seconds(h.timeout),
    failureThreshold: h.failure_threshold,
    ...(h.initial_delay > 0 ? { initialDelaySeconds: seconds(h.initial_delay) } : {}),
  };
}

function container(
  app: ExportApp,
  opts: ExportOptions,
  secretName: string | undefined,
  perPod: number,
): Record<string, unknown> {
  const c = app.config;
  const { plain, secret } = splitEnv(c.env);
  const env = [
    ...plain.map(([name, value]) => ({ name, value })),
    ...secret.map(([name]) => ({ name, valueFrom: { secretKeyRef: { name: secretName ?? '', key: name } } })),
  ].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const command = opts.runtime
    ? [
        'steward-runtime',
        'start',
        opts.file,
        '--only',
        // --only takes the name as the file writes it (before append_env_to_name's suffix).
        typeof app.raw.name === 'string' ? app.raw.name : c.name,
        ...(opts.envName ? ['--env', opts.envName] : []),
        '--json',
      ]
    : commandLine(c, true);
  const ports = appPorts(app);
  const readiness = c.ready_probe ? probeHandler(c.ready_probe) : undefined;
  const liveness = livenessProbe(c);
  const preStop =
    c.kill_signal !== 'SIGTERM' && !opts.runtime
      ? {
          preStop: {
            exec: {
              // PID 1 is the app: send its stop signal, and wait for it (SIGTERM follows the hook).
              command: [
                '/bin/sh',
                '-c',
                `kill -s ${c.kill_signal.slice(3)} 1; while kill -0 1 2>/dev/null; do sleep 1; done`,
              ],
            },
          },
        }
      : undefined;
  return {
    name: k8sName(c.name),
    image: opts.image ?? `${k8sName(c.name)}:latest`,
    command,
    workingDir: c.pm_cwd,
    ...(env.length > 0 ? { env } : {}),
    ...(ports.length > 0 ? { ports: ports.map((p) => ({ containerPort: p })) } : {}),
    ...(c.max_memory_restart !== null
      ? { resources: { limits: { memory: `${Math.ceil((c.max_memory_restart * perPod) / 1048576)}Mi` } } }
      : {}),
    ...(readiness ? { readinessProbe: readiness } : {}),
    ...(liveness ? { livenessProbe: liveness } : {}),
    ...(preStop ? { lifecycle: preStop } : {}),
    ...(c.uid !== null || c.gid !== null
      ? {
          securityContext: {
            ...(c.uid !== null ? { runAsUser: c.uid } : {}),
            ...(c.gid !== null ? { runAsGroup: c.gid } : {}),
          },
        }
      : {}),
  };
}

/** The Kubernetes objects of one app, and the notes for its header. */
export function kubernetesObjects(
  app: ExportApp,
  opts: ExportOptions,
): { objects: K8sObject[]; notes: string[] } {
  const c = app.config;
  const notes: string[] = [];
  const name = k8sName(c.name);
  const meta = (n: string) => ({ name: n, labels: labels(c) });
  const objects: K8sObject[] = [];
  const { secret } = splitEnv(c.env);
  const secretName = secret.length > 0 ? `${name}-env` : undefined;
  if (secretName) {
    notes.push(
      `env: ${secret.map(([k]) => k).join(', ')} look secret: in Secret ${secretName} (this output holds their values)`,
    );
    objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(secretName),
      type: 'Opaque',
      stringData: Object.fromEntries(secret),
    });
  }
  if (c.kill_signal !== 'SIGTERM' && opts.runtime)
    notes.push(`kill_signal: steward-runtime gets SIGTERM and stops the app with ${c.kill_signal}`);
  const loopback = loopbackProbeNote(c);
  if (loopback) notes.push(loopback);
  if (c.ready_probe && !probeHandler(c.ready_probe))
    notes.push(`ready_probe: "${c.ready_probe}" is not an http:// or tcp:// URL`);
  if (c.listen.some((l) => l.startsWith('127.') || l.startsWith('[::1]')))
    notes.push('listen: a loopback address is not reachable from a Service; bind 0.0.0.0 in the container');
  const inst = fleetInstances(app, opts);
  if (inst.note) notes.push(inst.note);
  // --runtime: steward-runtime runs the instances inside one pod (its memory limit covers them all).
  const perPod = opts.runtime ? inst.count : 1;
  if (opts.runtime)
    notes.push(
      `--runtime: steward-runtime runs ${inst.count} process(es) in the pod and applies the file's restart policy, back-off, cron, health checks and log options there; the lines above are about the pod`,
    );
  const podSpec = {
    containers: [container(app, opts, secretName, perPod)],
    terminationGracePeriodSeconds: seconds(c.kill_timeout) + (opts.runtime ? 5 : 0),
  };
  const matchLabels = { 'app.kubernetes.io/name': name, 'app.kubernetes.io/part-of': k8sName(c.namespace) };
  if (isCronJob(c)) {
    const cron = fiveFieldCron(c.cron_restart ?? '');
    if (cron.note) notes.push(cron.note);
    objects.push({
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta(name),
      spec: {
        schedule: cron.spec,
        concurrencyPolicy: 'Forbid',
        ...(c.autostart ? {} : { suspend: true }),
        jobTemplate: {
          metadata: { labels: labels(c) },
          spec: {
            template: { metadata: { labels: labels(c) }, spec: { ...podSpec, restartPolicy: 'Never' } },
          },
        },
      },
    });
    return { objects, notes };
  }
  if (c.cron_restart !== null && !opts.runtime)
    notes.push(
      `cron_restart: a periodic restart ("${c.cron_restart}") needs a CronJob running \`kubectl rollout restart\`; not generated`,
    );
  if (!c.autorestart && !opts.runtime)
    notes.push('autorestart: false has no Deployment equivalent (always restarted); use a Job');
  objects.push({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(name),
    spec: {
      replicas: c.autostart ? inst.count / perPod : 0,
      selector: { matchLabels },
      template: { metadata: { labels: labels(c) }, spec: podSpec },
    },
  });
  const ports = appPorts(app);
  if (ports.length > 0) {
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: meta(name),
      spec: {
        selector: matchLabels,
        ports: ports.map((p) => ({ name: `port-${p}`, port: p, targetPort: p, protocol: 'TCP' })),
      },
    });
  }
  return { objects, notes };
}

/** One YAML file per app: its header comment, then its objects separated by `---`. */
export function exportKubernetes(apps: readonly ExportApp[], opts: ExportOptions): ExportResult {
  return {
    files: apps.map((app) => {
      const { objects, notes } = kubernetesObjects(app, opts);
      const head = header('kubernetes', app, KUBERNETES_RULES, notes).join('\n');
      const docs = objects.map((o) => YAML.stringify(o, { lineWidth: 0 }).trimEnd());
      const secret = objects.some((o) => o.kind === 'Secret');
      return {
        name: `${k8sName(app.config.name)}.yaml`,
        content: `${head}\n${docs.join('\n---\n')}\n`,
        ...(secret ? { secret } : {}),
      };
    }),
  };
}
