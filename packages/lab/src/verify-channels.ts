/**
 * Verify's delivery ports in the lab. Twilio Verify sends its codes from Twilio's own senders,
 * not from the customer's numbers, so the SMS channel submits straight to the regional
 * super-network from a platform sender: the recipient's simulated handset at the carrier gets
 * the code (a load generator reads it back there), and no customer number or Messaging Service
 * is needed. Its receipts come back for a message the messaging module does not hold, which it
 * ignores by design.
 */
import { newSid, smsSegments } from '@twilio-lab/core';
import type { SuperNetwork } from '@twilio-lab/super-network';
import type { Delivery } from '@twilio-lab/verify';

/** The platform's Verify sender (a toll-free number outside every customer's range). */
export const VERIFY_SENDER = '+18885550199';

export function verifySmsChannel(network: SuperNetwork): (d: Delivery) => Promise<void> {
  return async (d) => {
    const { encoding, segments } = smsSegments(d.body);
    await network.submit({
      messageSid: newSid('SM'),
      accountSid: d.accountSid,
      from: VERIFY_SENDER,
      to: d.to,
      body: d.body,
      encoding,
      segments,
      mediaUrls: [],
    });
  };
}
