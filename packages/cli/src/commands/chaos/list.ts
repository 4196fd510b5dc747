import { Flags } from '@oclif/core';
import { ChaosError, ToxiproxyClient, type ProxyJson } from '@twilio-lab/chaos';
import { readInfraFile } from '@twilio-lab/infra';
import { BaseCommand } from '../../base-command.js';
import { CliError, EXIT } from '../../errors.js';

/** Shared by the chaos commands: where Toxiproxy listens. */
export const toxiproxyUrlFlag = Flags.string({
  description:
    'Toxiproxy API (default: the one `twilio-lab infra start` recorded, else http://127.0.0.1:18474).',
  env: 'TOXIPROXY_URL',
});

export async function resolveToxiproxyUrl(flag: string | undefined): Promise<string> {
  if (flag !== undefined && flag !== '') return flag;
  const recorded = (await readInfraFile())?.env.TOXIPROXY_URL;
  return recorded ?? 'http://127.0.0.1:18474';
}

/** ChaosError -> CliError with a stable code (an invalid file exits 104 like a bad scenario). */
export function chaosCliError(err: unknown): unknown {
  if (!(err instanceof ChaosError)) return err;
  switch (err.code) {
    case 'CHAOS_INVALID':
      return new CliError('CHAOS_INVALID', err.message, { cause: err, exitCode: EXIT.invalidScenario });
    case 'CHAOS_TARGET_NOT_FOUND':
      return new CliError('CHAOS_TARGET_NOT_FOUND', err.message, { cause: err });
    case 'CHAOS_TOXIPROXY_UNREACHABLE':
    case 'CHAOS_TOXIPROXY_ERROR':
    case 'CHAOS_CONTROL_TIMEOUT':
      return new CliError('CHAOS_TOXIPROXY', err.message, { cause: err });
    case 'CHAOS_NETEM_UNAVAILABLE':
      return new CliError('CHAOS_NETEM_UNAVAILABLE', err.message, { cause: err });
    default:
      return new CliError('CHAOS_FAILED', err.message, { cause: err });
  }
}

export function formatProxies(proxies: readonly ProxyJson[]): string {
  if (proxies.length === 0) return 'No proxies (links) on this Toxiproxy.';
  const lines: string[] = [];
  const width = Math.max(4, ...proxies.map((p) => p.name.length));
  lines.push(`${'link'.padEnd(width)}  ${'state'.padEnd(5)}  listen -> upstream`);
  for (const p of proxies) {
    lines.push(
      `${p.name.padEnd(width)}  ${(p.enabled ? 'up' : 'DOWN').padEnd(5)}  ${p.listen} -> ${p.upstream}`,
    );
    for (const t of p.toxics) {
      const attrs = Object.entries(t.attributes)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      lines.push(
        `${''.padEnd(width)}    toxic ${t.name}: ${t.type} ${attrs} (${t.stream}, toxicity ${t.toxicity})`,
      );
    }
  }
  return lines.join('\n');
}

export default class ChaosList extends BaseCommand {
  static override summary = 'List the links (Toxiproxy proxies) and their active toxics.';
  static override examples = ['<%= config.bin %> chaos list', '<%= config.bin %> chaos list --json'];
  static override enableJsonFlag = true;
  static override flags = {
    'toxiproxy-url': toxiproxyUrlFlag,
    timeout: Flags.integer({ description: 'Timeout of the Toxiproxy call, ms.', default: 5000, min: 1 }),
  };

  async run(): Promise<{ toxiproxy: string; proxies: ProxyJson[] }> {
    const { flags } = await this.parse(ChaosList);
    const url = await resolveToxiproxyUrl(flags['toxiproxy-url']);
    try {
      const proxies = await new ToxiproxyClient(url, flags.timeout).proxies();
      this.log(formatProxies(proxies));
      return { toxiproxy: url, proxies };
    } catch (err) {
      throw chaosCliError(err);
    }
  }
}
