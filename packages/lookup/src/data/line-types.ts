/**
 * Line-type data: how libphonenumber's number types map onto Lookup's vocabulary, how the lab
 * splits the numbers libphonenumber cannot place (FIXED_LINE_OR_MOBILE, the whole NANP), and the
 * Twilio test numbers whose line type other products depend on.
 */

export type LineType =
  | 'landline'
  | 'mobile'
  | 'fixedVoip'
  | 'nonFixedVoip'
  | 'personal'
  | 'tollFree'
  | 'premium'
  | 'sharedCost'
  | 'uan'
  | 'voicemail'
  | 'pager'
  | 'unknown';

/** libphonenumber-js `getType()` results. FIXED_LINE_OR_MOBILE is resolved by SUBSCRIBER_RANGES. */
export const LINE_TYPE_BY_NUMBER_TYPE: ReadonlyMap<string, LineType> = new Map<string, LineType>([
  ['MOBILE', 'mobile'],
  ['FIXED_LINE', 'landline'],
  ['TOLL_FREE', 'tollFree'],
  ['PREMIUM_RATE', 'premium'],
  ['SHARED_COST', 'sharedCost'],
  ['VOIP', 'nonFixedVoip'],
  ['PERSONAL_NUMBER', 'personal'],
  ['PAGER', 'pager'],
  ['UAN', 'uan'],
  ['VOICEMAIL', 'voicemail'],
]);

/**
 * Where the numbering plan does not say (US and Canadian numbers are "fixed line or mobile"),
 * the last four digits decide, in ranges, so a test can pick a number of the type it needs:
 * xxx-0000..6999 mobile, 7000..8999 landline, 9000..9999 non-fixed VoIP (like the spec's
 * example +14159929960).
 */
export const SUBSCRIBER_RANGES: readonly { readonly below: number; readonly type: LineType }[] = [
  { below: 7000, type: 'mobile' },
  { below: 9000, type: 'landline' },
  { below: 10000, type: 'nonFixedVoip' },
];

/**
 * Twilio's magic test numbers keep the meaning Messaging gives them: +15005550006 is a valid
 * SMS-capable sender, +15005550009 is "not a mobile number" (21614).
 */
export const TEST_NUMBER_LINE_TYPES: ReadonlyMap<string, LineType> = new Map<string, LineType>([
  ['+15005550006', 'mobile'],
  ['+15005550009', 'landline'],
]);
