import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** Largest multiple of 62 below 256: bytes at or above it are dropped so every character is equally likely. */
const BASE62_UNBIASED_LIMIT = 248;
const AUTH_TOKEN_PATTERN = /^[0-9a-f]{32}$/;

/** 32 lower-case hex characters, the shape of a Twilio auth token. */
export function newAuthToken(): string {
  return randomBytes(16).toString('hex');
}

export function isAuthToken(value: string): boolean {
  return AUTH_TOKEN_PATTERN.test(value);
}

/** 32 base62 characters (~190 bits), like a Twilio API key secret. */
export function newKeySecret(): string {
  let out = '';
  while (out.length < 32) {
    for (const byte of randomBytes(48)) {
      if (byte >= BASE62_UNBIASED_LIMIT) continue;
      out += BASE62[byte % 62];
      if (out.length === 32) break;
    }
  }
  return out;
}

export function newSalt(): string {
  return randomBytes(16).toString('hex');
}

/**
 * Salted SHA-256. The secrets are long and random, so a slow KDF would add nothing but
 * latency on the authentication path.
 */
export function hashSecret(salt: string, secret: string): Buffer {
  return createHash('sha256').update(salt).update(secret).digest();
}

/** Constant-time comparison of a presented secret with its stored salted hash (hex). */
export function secretMatches(salt: string, storedHashHex: string, presented: string): boolean {
  const stored = Buffer.from(storedHashHex, 'hex');
  const actual = hashSecret(salt, presented);
  return stored.length === actual.length && timingSafeEqual(stored, actual);
}

/**
 * Constant-time comparison of two strings. Unequal lengths return at once: the length of an
 * auth token is public (always 32), so it leaks nothing.
 */
export function sameSecret(expected: string, presented: string): boolean {
  if (expected.length !== presented.length) return false;
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(presented, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}
