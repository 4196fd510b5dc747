import { LabCommand } from '../base-command.js';
import { formatCarriers } from '../format.js';
import type { CarrierInfo } from '../lab-api.js';

export default class Carriers extends LabCommand {
  static override summary = 'List the simulated carriers, their SMPP addresses and counters.';
  static override examples = ['<%= config.bin %> carriers', '<%= config.bin %> carriers --json'];

  async run(): Promise<{ carriers: CarrierInfo[] }> {
    const { flags } = await this.parse(Carriers);
    const carriers = await (await this.labApi(flags)).carriers();
    this.log(formatCarriers(carriers));
    return { carriers };
  }
}
