import { Flags } from '@oclif/core';
import { LabCommand } from '../../base-command.js';
import { formatDeadLetters } from '../../format.js';
import type { DeadLetter } from '../../lab-api.js';

export default class WebhooksDeadLetters extends LabCommand {
  static override summary = 'List webhooks that failed every retry.';
  static override examples = [
    '<%= config.bin %> webhooks dead-letters',
    '<%= config.bin %> webhooks dead-letters --account-sid ACxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx --json',
  ];

  static override flags = {
    'account-sid': Flags.string({ description: 'Only this account’s dead letters.' }),
  };

  async run(): Promise<{ dead_letters: DeadLetter[] }> {
    const { flags } = await this.parse(WebhooksDeadLetters);
    const letters = await (await this.labApi(flags)).deadLetters(flags['account-sid']);
    this.log(formatDeadLetters(letters));
    return { dead_letters: letters };
  }
}
