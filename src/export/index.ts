import { exportKubernetes, KUBERNETES_RULES } from './kubernetes.js';
import type { ExportApp, ExportOptions, ExportResult, MappingTable, Target } from './mapping.js';
import { exportNomad, NOMAD_RULES } from './nomad.js';
import { exportSystemd, SYSTEMD_RULES } from './systemd.js';

export {
  TARGETS,
  coverage,
  type ExportApp,
  type ExportOptions,
  type ExportResult,
  type Target,
} from './mapping.js';

/** Per target: its mapping table and its exporter (pure: apps in, file contents out). */
export const EXPORTERS: Record<
  Target,
  { rules: MappingTable; run(apps: readonly ExportApp[], opts: ExportOptions): ExportResult }
> = {
  kubernetes: { rules: KUBERNETES_RULES, run: exportKubernetes },
  nomad: { rules: NOMAD_RULES, run: exportNomad },
  systemd: { rules: SYSTEMD_RULES, run: exportSystemd },
};
