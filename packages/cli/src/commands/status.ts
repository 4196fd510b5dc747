import { LabCommand } from '../base-command.js';
import { formatStatus } from '../format.js';
import type { LabStatus } from '../lab-api.js';

export default class Status extends LabCommand {
  static override summary = 'Show message counters, webhooks and memory of the running lab.';
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json'];

  async run(): Promise<LabStatus> {
    const { flags } = await this.parse(Status);
    const api = await this.labApi(flags);
    const status = await api.status();
    this.log(formatStatus(status, api.baseUrl));
    return status;
  }
}
