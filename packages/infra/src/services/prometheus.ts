/** Prometheus 2.42 from Debian, scraping the file_sd targets the lab drops into <dir>/prometheus/targets. */
import { existsSync, readdirSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { aptInstall } from '../apt.js';
import { HOST, type InfraConfig } from '../config.js';
import { prometheusYml } from '../conf-writers.js';
import { InfraError } from '../errors.js';
import { checkPort, launchDetached, stopByPidFile, type Endpoint } from '../lifecycle.js';
import { findExecutable, livePid } from '../proc.js';
import { probePrometheus } from '../probe.js';
import type { ServiceDriver } from '../service.js';

function prometheusBinary(): string | null {
  return findExecutable('prometheus', ['/usr/bin', '/usr/local/bin']);
}

/** Alerting/recording rules the repository ships under grafana/ (none is fine). */
export function repositoryRuleFiles(projectRoot: string): string[] {
  const folder = join(projectRoot, 'grafana', 'rules');
  if (!existsSync(folder)) return [];
  return readdirSync(folder)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => join(folder, f));
}

export const prometheus: ServiceDriver = {
  name: 'prometheus',
  label: 'Prometheus',

  endpoint(cfg: InfraConfig): Endpoint {
    return { label: 'Prometheus', host: HOST, port: cfg.ports.prometheus, probe: probePrometheus };
  },

  address(cfg: InfraConfig): string {
    return `http://${HOST}:${cfg.ports.prometheus}`;
  },

  logPath(cfg: InfraConfig): string {
    return cfg.prometheus.logPath;
  },

  async isInstalled(): Promise<boolean> {
    return prometheusBinary() !== null;
  },

  async install(cfg: InfraConfig) {
    if (prometheusBinary() !== null) return 'already-installed';
    await aptInstall(['prometheus'], cfg.aptLogPath, cfg.log);
    return 'installed';
  },

  async start(cfg: InfraConfig) {
    const endpoint = this.endpoint(cfg);
    if ((await checkPort(endpoint, cfg.startTimeoutMs)) === 'running') return 'already-running';
    const program = prometheusBinary();
    if (program === null) {
      throw new InfraError(
        'INFRA_NOT_INSTALLED',
        'prometheus is not installed; run `twilio-lab infra install prometheus`.',
      );
    }
    const p = cfg.prometheus;
    await mkdir(p.targetsDir, { recursive: true });
    await mkdir(p.dataDir, { recursive: true });
    await writeFile(
      p.configPath,
      prometheusYml({ targetsDir: p.targetsDir, ruleFiles: repositoryRuleFiles(cfg.projectRoot) }),
    );
    await launchDetached({
      endpoint,
      command: program,
      args: [
        `--config.file=${p.configPath}`,
        `--storage.tsdb.path=${p.dataDir}`,
        `--web.listen-address=${HOST}:${cfg.ports.prometheus}`,
        // Lets the lab reload the configuration with POST /-/reload.
        '--web.enable-lifecycle',
        '--storage.tsdb.retention.time=2d',
      ],
      logPath: p.logPath,
      pidPath: p.pidPath,
      marker: p.configPath,
      timeoutMs: cfg.startTimeoutMs,
      cwd: p.root,
    });
    return 'started';
  },

  stop(cfg: InfraConfig) {
    return stopByPidFile(cfg.prometheus.pidPath, cfg.prometheus.configPath, cfg.stopTimeoutMs);
  },

  pid(cfg: InfraConfig) {
    return livePid(cfg.prometheus.pidPath, cfg.prometheus.configPath);
  },
};
