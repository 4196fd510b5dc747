/** Operator-facing failures of the gateway itself (Twilio-facing errors use core's twilioError). */
export type GatewayErrorCode =
  | 'GATEWAY_UWS_UNAVAILABLE'
  | 'GATEWAY_LISTEN_FAILED'
  | 'GATEWAY_ALREADY_LISTENING'
  | 'GATEWAY_CLOSED'
  | 'GATEWAY_INVALID_OPTIONS';

export class GatewayError extends Error {
  readonly code: GatewayErrorCode;

  constructor(code: GatewayErrorCode, message: string) {
    super(message);
    this.name = 'GatewayError';
    this.code = code;
  }
}
