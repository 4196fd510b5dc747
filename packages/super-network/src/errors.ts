/**
 * The package's own error catalogue (failures that are not a Twilio message status: those are
 * SubmitError in types.ts). Each has a stable code that callers and the lab's control API can
 * switch on; the message says what happened and, where it helps, what to do.
 */
export type SuperNetworkErrorCode =
  /** A simulated handset tried to send and no carrier accepted the mobile-originated message. */
  | 'HANDSET_SEND_FAILED'
  /** No carrier is bound to the platform, so a handset has nobody to send through. */
  | 'NO_BOUND_CARRIER'
  /** waitFor() saw no matching message in time. */
  | 'HANDSET_WAIT_TIMEOUT'
  /** The super-network (or a simulator) was closed while the operation was pending. */
  | 'NETWORK_CLOSED'
  /** A phone number is not E.164 (a handset needs '+' and 7 to 15 digits). */
  | 'INVALID_NUMBER'
  /** A carrier simulator could not start listening or open its journal. */
  | 'CARRIER_START_FAILED';

export class SuperNetworkError extends Error {
  constructor(
    readonly code: SuperNetworkErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SuperNetworkError';
  }
}
