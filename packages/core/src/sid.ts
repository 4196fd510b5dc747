import { randomFillSync } from 'node:crypto';

/**
 * SID prefixes used across the lab. Twilio SIDs are two upper-case letters naming the resource
 * type followed by 32 lower-case hex digits (128 random bits).
 */
export const SID_PREFIX = {
  Account: 'AC',
  Message: 'SM',
  MmsMessage: 'MM',
  Media: 'ME',
  PhoneNumber: 'PN',
  ShortCode: 'SC',
  MessagingService: 'MG',
  ApiKey: 'SK',
  Application: 'AP',
  Call: 'CA',
  Conference: 'CF',
  Recording: 'RE',
  Queue: 'QU',
  Notification: 'NO',
  VerifyService: 'VA',
  Verification: 'VE',
  VerificationAttempt: 'VL',
  Room: 'RM',
  RoomParticipant: 'PA',
  VideoRecording: 'RT',
  Composition: 'CJ',
  Track: 'MT',
  Workspace: 'WS',
  Worker: 'WK',
  Workflow: 'WW',
  TaskQueue: 'WQ',
  Task: 'WT',
  Reservation: 'WR',
  Activity: 'WA',
  TaskChannel: 'TC',
  Conversation: 'CH',
  ConversationParticipant: 'MB',
  ConversationMessage: 'IM',
  ChatService: 'IS',
  Role: 'RL',
  Content: 'HX',
  Request: 'RQ',
} as const;

export type SidPrefix = (typeof SID_PREFIX)[keyof typeof SID_PREFIX];

const SID_BYTES = 16;
// One crypto call fills enough bytes for 1024 SIDs; refilling per SID would dominate the cost.
const POOL_SIZE = SID_BYTES * 1024;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let poolOffset = POOL_SIZE;

const HEX: readonly string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

function randomHex32(): string {
  if (poolOffset + SID_BYTES > POOL_SIZE) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  let out = '';
  const end = poolOffset + SID_BYTES;
  for (let i = poolOffset; i < end; i++) out += HEX[pool[i]!]!;
  poolOffset = end;
  return out;
}

/** A fresh SID: `prefix` (two upper-case letters) + 32 lower-case hex digits. */
export function newSid(prefix: string): string {
  return prefix + randomHex32();
}

/** Request ids share the SID shape so they are easy to grep across logs and webhooks. */
export function newRequestId(): string {
  return SID_PREFIX.Request + randomHex32();
}

const SID_SHAPE = /^[A-Z]{2}[0-9a-f]{32}$/;

export function isSid(value: unknown, prefix?: string): value is string {
  if (typeof value !== 'string' || value.length !== 34 || !SID_SHAPE.test(value)) return false;
  return prefix === undefined || value.startsWith(prefix);
}
