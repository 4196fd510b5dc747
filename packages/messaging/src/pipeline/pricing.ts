/** US list prices the lab reports (Twilio shows prices as negative decimal strings). */
const SMS_PER_SEGMENT = 0.0079;
const MMS_PER_MESSAGE = 0.02;

export function priceOf(segments: number, numMedia: number): string {
  const amount = numMedia > 0 ? MMS_PER_MESSAGE : SMS_PER_SEGMENT * Math.max(segments, 1);
  return '-' + amount.toFixed(5);
}
