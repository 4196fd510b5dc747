import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Codes are derived, never stored: code = HMAC(secret, service + verification SID) reduced to
 * the wanted number of digits. A resend within the validity window can thus repeat the same
 * code while the cache only ever holds its hash (sha256 of service SID + code).
 */
export class CodeBook {
  private readonly secret: Buffer;

  constructor(secret?: string) {
    this.secret = secret === undefined ? randomBytes(32) : Buffer.from(secret, 'utf8');
  }

  derive(serviceSid: string, verificationSid: string, length: number): string {
    const mac = createHmac('sha256', this.secret)
      .update(serviceSid)
      .update(':')
      .update(verificationSid)
      .digest();
    // 64 bits reduced modulo 10^length (at most 10^10): the bias is far below 1e-9.
    const value = mac.readBigUInt64BE(0) % 10n ** BigInt(length);
    return value.toString().padStart(length, '0');
  }

  hash(serviceSid: string, code: string): string {
    return createHash('sha256').update(serviceSid).update(code).digest('hex');
  }

  matches(serviceSid: string, code: string, expectedHash: string): boolean {
    const actual = Buffer.from(this.hash(serviceSid, code), 'hex');
    const expected = Buffer.from(expectedHash, 'hex');
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  }
}
