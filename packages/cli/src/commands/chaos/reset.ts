import { Flags } from '@oclif/core';
import { ToxiproxyClient } from '@twilio-lab/chaos';
import { BaseCommand } from '../../base-command.js';
import { chaosCliError, resolveToxiproxyUrl, toxiproxyUrlFlag } from './list.js';

export default class ChaosReset extends BaseCommand {
  static override summary = 'Remove every toxic and bring every link up (Toxiproxy POST /reset).';
  static override description =
    'Affects EVERY proxy of that Toxiproxy, also ones a chaos run did not create. A run reverts its own faults ' +
    'by itself (and a crash guard does if the run dies); this is the manual big hammer.';
  static override examples = [
    '<%= config.bin %> chaos reset',
    '<%= config.bin %> chaos reset --toxiproxy-url http://127.0.0.1:8474',
  ];
  static override enableJsonFlag = true;
  static override flags = {
    'toxiproxy-url': toxiproxyUrlFlag,
    timeout: Flags.integer({ description: 'Timeout of the Toxiproxy call, ms.', default: 5000, min: 1 }),
  };

  async run(): Promise<{ toxiproxy: string; reset: true; toxicsRemoved: number; linksBroughtUp: number }> {
    const { flags } = await this.parse(ChaosReset);
    const url = await resolveToxiproxyUrl(flags['toxiproxy-url']);
    const client = new ToxiproxyClient(url, flags.timeout);
    try {
      const before = await client.proxies();
      await client.reset();
      const toxicsRemoved = before.reduce((n, p) => n + p.toxics.length, 0);
      const linksBroughtUp = before.filter((p) => !p.enabled).length;
      this.log(
        `Toxiproxy ${url} reset: ${toxicsRemoved} toxic(s) removed, ${linksBroughtUp} link(s) brought up.`,
      );
      return { toxiproxy: url, reset: true, toxicsRemoved, linksBroughtUp };
    } catch (err) {
      throw chaosCliError(err);
    }
  }
}
