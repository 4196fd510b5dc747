import { Flags } from '@oclif/core';
import { LabCommand } from '../../base-command.js';
import { requireE164 } from '../../flags.js';
import { formatSent } from '../../format.js';
import type { HandsetMessage } from '../../lab-api.js';

export default class HandsetSend extends LabCommand {
  static override summary = 'Make a simulated handset send a message (an inbound message for your number).';
  static override examples = [
    '<%= config.bin %> handset send --from +15558675310 --to +15005550006 --body "STOP"',
    '<%= config.bin %> handset send --from +15558675310 --to +15005550006 --body hi --media-url https://example.com/a.png',
  ];

  static override flags = {
    from: Flags.string({ description: 'The handset that sends (E.164).', required: true }),
    to: Flags.string({
      description: 'Destination number, usually one of your lab numbers (E.164).',
      required: true,
    }),
    body: Flags.string({ description: 'Message text.', default: '' }),
    'media-url': Flags.string({ description: 'Media URL (repeatable, up to 10).', multiple: true }),
  };

  async run(): Promise<HandsetMessage> {
    const { flags } = await this.parse(HandsetSend);
    const from = requireE164('--from', flags.from);
    const to = requireE164('--to', flags.to);
    const mediaUrls = flags['media-url'] ?? [];
    if (flags.body === '' && mediaUrls.length === 0) {
      this.error('Give --body TEXT or at least one --media-url.', { exit: 2, code: 'INVALID_FLAG' });
    }
    const sent = await (await this.labApi(flags)).handsetSend(from, { to, body: flags.body, mediaUrls });
    this.log(formatSent(sent));
    return sent;
  }
}
