import { LabCommand } from '../base-command.js';
import { formatStatus } from '../format.js';
import type { LabStatus } from '../lab-api.js';
import type { TopologyStatus } from '@twilio-lab/topology';

export default class Status extends LabCommand {
  static override summary = 'Show message counters, webhooks and memory of the running lab (or topology).';
  static override description =
    'With a topology running in --data-dir (`up -t`): every process with its pid, port, health and restarts, ' +
    'and every cell with its region, capacity and account count.';
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json'];

  async run(): Promise<LabStatus | TopologyStatus> {
    const { flags } = await this.parse(Status);
    if (flags.url === undefined) {
      // Loaded here, not at the top: the embedded path should not load the topology package.
      const { formatTopologyStatus, topologyStatus } = await import('@twilio-lab/topology');
      const topology = await topologyStatus(flags['data-dir']);
      if (topology !== null) {
        this.log(formatTopologyStatus(topology));
        return topology;
      }
    }
    const api = await this.labApi(flags);
    const status = await api.status();
    this.log(formatStatus(status, api.baseUrl));
    return status;
  }
}
