import { Args, Flags } from '@oclif/core';
import { LabCommand } from '../../base-command.js';
import { parseSince, requireE164 } from '../../flags.js';
import { formatInbox } from '../../format.js';
import type { HandsetMessage } from '../../lab-api.js';

export default class HandsetInbox extends LabCommand {
  static override summary = 'Show what a simulated handset received and sent.';
  static override examples = [
    '<%= config.bin %> handset inbox +15558675310',
    '<%= config.bin %> handset inbox +15558675310 --since 2024-05-01T12:00:00Z --json',
  ];

  static override args = {
    e164: Args.string({ description: 'Handset number (E.164).', required: true }),
  };

  static override flags = {
    since: Flags.string({ description: 'Only messages at or after this time (ISO date or epoch ms).' }),
  };

  async run(): Promise<{ messages: HandsetMessage[] }> {
    const { args, flags } = await this.parse(HandsetInbox);
    const e164 = requireE164('E164', args.e164);
    const since = flags.since === undefined ? undefined : parseSince(flags.since);
    const messages = await (await this.labApi(flags)).handsetInbox(e164, since);
    this.log(formatInbox(e164, messages));
    return { messages };
  }
}
