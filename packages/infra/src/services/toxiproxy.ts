/** Toxiproxy 2.12 built from source with `go install` (the Go module proxy is the only source here). */
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { aptInstall } from '../apt.js';
import { HOST, type InfraConfig } from '../config.js';
import { InfraError } from '../errors.js';
import { checkPort, launchDetached, stopByPidFile, type Endpoint } from '../lifecycle.js';
import { describeRun, findExecutable, isExecutableFile, livePid, logTail, runLogged } from '../proc.js';
import { probeToxiproxy } from '../probe.js';
import type { ServiceDriver } from '../service.js';

export const TOXIPROXY_VERSION = '2.12.0';
const MODULE = 'github.com/Shopify/toxiproxy/v2';

function goBinary(): string | null {
  return findExecutable('go', ['/usr/local/go/bin', '/usr/lib/go/bin']);
}

export const toxiproxy: ServiceDriver = {
  name: 'toxiproxy',
  label: 'Toxiproxy',

  endpoint(cfg: InfraConfig): Endpoint {
    return { label: 'Toxiproxy', host: HOST, port: cfg.ports.toxiproxy, probe: probeToxiproxy };
  },

  address(cfg: InfraConfig): string {
    return `http://${HOST}:${cfg.ports.toxiproxy}`;
  },

  logPath(cfg: InfraConfig): string {
    return cfg.toxiproxy.logPath;
  },

  async isInstalled(cfg: InfraConfig): Promise<boolean> {
    return isExecutableFile(cfg.toxiproxy.bin);
  },

  async install(cfg: InfraConfig) {
    const t = cfg.toxiproxy;
    if (isExecutableFile(t.bin)) return 'already-installed';
    let go = goBinary();
    if (go === null) {
      await aptInstall(['golang-go'], cfg.aptLogPath, cfg.log);
      go = goBinary();
      if (go === null)
        throw new InfraError('INFRA_INSTALL_FAILED', 'golang-go installed, but no `go` program was found.');
    }
    await mkdir(t.root, { recursive: true });
    // go install names the binary after the package folder ("server"); build into a private
    // folder so a concurrent build elsewhere cannot race the rename.
    const buildBin = join(t.root, 'gobin');
    await rm(buildBin, { recursive: true, force: true });
    const env: NodeJS.ProcessEnv = { ...process.env, GOBIN: buildBin };
    if (env.HOME === undefined || env.HOME === '') {
      // Go refuses to guess GOPATH and its cache without a home folder.
      env.GOPATH = join(cfg.dir, 'go', 'path');
      env.GOCACHE = join(cfg.dir, 'go', 'cache');
    }
    cfg.log(`go install ${MODULE}/cmd/server@v${TOXIPROXY_VERSION}`);
    const result = await runLogged(
      go,
      [
        'install',
        `-ldflags=-s -w -X ${MODULE}.Version=${TOXIPROXY_VERSION}`,
        `${MODULE}/cmd/server@v${TOXIPROXY_VERSION}`,
      ],
      { logPath: t.goLogPath, env },
    );
    const built = join(buildBin, 'server');
    if (result.code !== 0 || !existsSync(built)) {
      throw new InfraError(
        'INFRA_INSTALL_FAILED',
        `go install of toxiproxy ${TOXIPROXY_VERSION} failed (${describeRun(result)}; needs Go 1.23 or newer); ` +
          `log: ${t.goLogPath}\n${logTail(t.goLogPath, 8)}`,
        { logPath: t.goLogPath },
      );
    }
    await mkdir(dirname(t.bin), { recursive: true });
    await rename(built, t.bin);
    await rm(buildBin, { recursive: true, force: true });
    return 'installed';
  },

  async start(cfg: InfraConfig) {
    const endpoint = this.endpoint(cfg);
    if ((await checkPort(endpoint, cfg.startTimeoutMs)) === 'running') return 'already-running';
    const t = cfg.toxiproxy;
    if (!isExecutableFile(t.bin)) {
      throw new InfraError(
        'INFRA_NOT_INSTALLED',
        `${t.bin} does not exist; run \`twilio-lab infra install toxiproxy\`.`,
      );
    }
    await mkdir(t.root, { recursive: true });
    const args = ['-host', HOST, '-port', String(cfg.ports.toxiproxy)];
    // Proxies the lab wants at boot; toxiproxy starts empty without the file.
    if (existsSync(t.configPath)) args.push('-config', t.configPath);
    await launchDetached({
      endpoint,
      command: t.bin,
      args,
      logPath: t.logPath,
      pidPath: t.pidPath,
      // The binary's own path: a user-supplied one need not be called toxiproxy.
      marker: t.bin,
      timeoutMs: cfg.startTimeoutMs,
      cwd: t.root,
    });
    return 'started';
  },

  stop(cfg: InfraConfig) {
    return stopByPidFile(cfg.toxiproxy.pidPath, cfg.toxiproxy.bin, cfg.stopTimeoutMs);
  },

  pid(cfg: InfraConfig) {
    return livePid(cfg.toxiproxy.pidPath, cfg.toxiproxy.bin);
  },
};
